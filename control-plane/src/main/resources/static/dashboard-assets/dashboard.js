// The dashboard's only script (CSP: script-src 'self'). Pages work without it; it adds copy buttons,
// confirmations, Ctrl+Enter in the SQL console and the self-refresh of a database being provisioned.
document.addEventListener('click', (event) => {
  const copy = event.target.closest('button[data-copy]');
  if (copy) {
    const source = document.querySelector(copy.dataset.copy);
    const text = source.value !== undefined ? source.value : source.textContent;
    const done = () => { copy.textContent = 'Copied'; setTimeout(() => { copy.textContent = 'Copy'; }, 2000); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done);
    } else {
      // plain-HTTP deployments have no clipboard API: select the text so that Ctrl+C copies it
      const range = document.createRange();
      range.selectNodeContents(source);
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      if (source.select) { source.select(); }
      document.execCommand('copy');
      done();
    }
  }
});
document.addEventListener('submit', (event) => {
  const button = event.submitter;
  if (button && button.dataset.confirm && !window.confirm(button.dataset.confirm)) {
    event.preventDefault();
  }
});
document.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && (event.ctrlKey || event.metaKey) && event.target.matches('[data-submit-on-ctrl-enter]')) {
    event.preventDefault();
    event.target.form.requestSubmit();
  }
});
// a database being provisioned: its page reloads itself until the state changes
const reload = document.querySelector('[data-reload-after]');
if (reload) {
  setTimeout(() => window.location.reload(), Number(reload.dataset.reloadAfter));
}
