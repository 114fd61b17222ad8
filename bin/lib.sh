# Shared by bin/run and bin/test (sourced): package installation for what the build needs.
# Expects say() and die() to be defined by the caller.

SUDO=""
if [[ $(id -u) != 0 ]] && command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; fi

apt_updated=0
apt_install() {
  if [[ $apt_updated == 0 ]]; then
    $SUDO apt-get update -qq
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$@"
}

# The worker's SQLite engine (SQLite + the tenant sandbox) is compiled by the data-plane build
# (data-plane/src/main/native/build.sh): it needs a C compiler, openssl to check the source's hash, and patch
# for its one reviewed source patch (libSQL's RANDOM ROWID).
ensure_native_toolchain() {
  local missing=()
  command -v gcc >/dev/null 2>&1 || missing+=(gcc libc6-dev)
  command -v openssl >/dev/null 2>&1 || missing+=(openssl)
  command -v patch >/dev/null 2>&1 || missing+=(patch)
  if (( ${#missing[@]} > 0 )); then
    say "installing ${missing[*]} (the worker's SQLite engine is compiled by the build)"
    apt_install "${missing[@]}"
  fi
}

# The deployment tests (deploy/) validate docker-compose.yml with `docker-compose config` (Debian's package;
# no Docker engine needed). The Helm chart is rendered by helm-java, which comes from Maven Central.
ensure_compose_cli() {
  if ! command -v docker-compose >/dev/null 2>&1; then
    say "installing docker-compose (the deployment tests validate docker-compose.yml with it)"
    apt_install docker-compose
  fi
}

# The dashboard's browser tests (src-test-e2e, DashboardBrowserIT) drive Debian's headless Chromium through its
# WebDriver: chromium and chromium-driver from apt, never a browser downloaded by the test tooling.
ensure_chromium() {
  local missing=()
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
  if (( ${#missing[@]} > 0 )); then
    say "installing ${missing[*]} (the dashboard's browser tests drive headless Chromium)"
    apt_install "${missing[@]}"
  fi
}
