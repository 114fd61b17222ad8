// Organization storage quota with the official @libsql/client 0.18.0 (issue 13): a few MB spread over three
// databases; writes past the organization's total answer BLOCKED naming the quota, reads keep working, and after
// DELETE and DROP TABLE the tenant can write again. Runs in its own organization (the administrator creates it and
// sets a storage override), so the other scenarios keep the default organization's plan.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { LibsqlError } from "@libsql/client";
import { api, api200, sqlClient, sleep, uniqueName } from "./lib.mjs";

const ORG = uniqueName("quota");
const base = `/v1/organizations/${ORG}`;
const QUOTA = 3_000_000;
const BLOB = 100_000;
const clients = [];

async function until(what, check, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      last = await check();
      if (last) return last;
    } catch (e) {
      last = `${e.code ?? ""} ${e.message}`;
    }
    await sleep(200);
  }
  throw new Error(`${what}: not within ${timeoutMs} ms (last: ${last})`);
}

async function readyDb(prefix) {
  const name = uniqueName(prefix);
  await api200("POST", `${base}/databases`, { body: { name } });
  const { jwt } = await api200("POST", `${base}/databases/${name}/auth/tokens`);
  const client = sqlClient(jwt);
  clients.push(client);
  await until(`${name} serves SQL`, async () => (await client.execute("SELECT 1")).rows.length === 1);
  return { name, client };
}

async function storage() {
  return (await api200("GET", `${base}/quotas`)).quotas.usage.storage_bytes;
}

/** Inserts blobs until the worker refuses one; returns [inserted, the error]. */
async function fillUntilRefused(client, max = 80) {
  for (let i = 0; i < max; i++) {
    try {
      await client.execute(`INSERT INTO blobs VALUES (zeroblob(${BLOB}))`);
    } catch (e) {
      return [i, e];
    }
    await sleep(50);
  }
  return [max, null];
}

let A;
let B;
let C;

before(async () => {
  await api200("POST", "/v1/organizations", { body: { name: ORG } });
  const q = await api200("PATCH", `${base}/quotas`, { body: { storage: QUOTA } });
  assert.equal(q.quotas.quotas.storage, QUOTA);
  [A, B, C] = await Promise.all([readyDb("qa"), readyDb("qb"), readyDb("qc")]);
  for (const d of [A, B, C]) await d.client.execute("CREATE TABLE blobs (v BLOB)");
});

after(() => {
  for (const c of clients) c.close();
});

test("writes past the organization's storage total are BLOCKED; reads, DELETE and DROP still work", async () => {
  // A and B take 1.2 MB each: well within the quota one by one
  for (const d of [A, B]) {
    for (let i = 0; i < 12; i++) await d.client.execute(`INSERT INTO blobs VALUES (zeroblob(${BLOB}))`);
  }
  await until("the organization's storage is reported", async () => (await storage()) >= 24 * BLOB);
  // and C's cap (what A and B leave) is on its worker
  await until("C's storage cap is pushed", async () => {
    const c = (await api200("GET", `${base}/quotas`)).quotas.databases.find((d) => d.name === C.name);
    return c.pushed && c.max_bytes <= QUOTA - 24 * BLOB;
  });
  // C may only take what A and B left: its writes stop with BLOCKED naming the quota
  const [inserted, error] = await fillUntilRefused(C.client);
  assert.ok(error, `C wrote ${inserted} blobs of ${BLOB} bytes and was never refused`);
  assert.ok(error instanceof LibsqlError, `expected a LibsqlError, got ${error?.constructor?.name}: ${error?.message}`);
  assert.equal(error.code, "BLOCKED", error.message);
  assert.match(error.message, /storage quota of 3000000 bytes/);
  assert.ok(inserted <= 8, `C wrote ${inserted} blobs: more than the quota leaves`);
  // once reported, the organization is over or at its total: every database refuses writes
  await until("the organization is blocked or full", async () => {
    try {
      await A.client.execute(`INSERT INTO blobs VALUES (zeroblob(${BLOB}))`);
      return false;
    } catch (e) {
      return e.code === "BLOCKED" && /storage quota/.test(e.message);
    }
  });
  // reads work
  const counted = await C.client.execute("SELECT count(*) AS n FROM blobs");
  assert.equal(Number(counted.rows[0].n), inserted);
  assert.equal(Number((await A.client.execute("SELECT count(*) AS n FROM blobs")).rows[0].n) >= 12, true);
  // the way back under: DELETE and DROP TABLE are allowed while blocked
  const deleted = await A.client.execute("DELETE FROM blobs");
  assert.ok(deleted.rowsAffected >= 12);
  await B.client.execute("DROP TABLE blobs");
  // reported, recomputed and pushed: C writes again
  await until("C can write again", async () => {
    try {
      await C.client.execute(`INSERT INTO blobs VALUES (zeroblob(${BLOB}))`);
      return true;
    } catch (e) {
      if (e.code !== "BLOCKED") throw e;
      return false;
    }
  });
  const org = await api200("GET", base);
  assert.equal(org.organization.blocked_writes, false);
  assert.ok((await storage()) < QUOTA);
});
