// Offline writes, phase 2 (the worker was restarted): the offline replica left by phase 1 pulls and pushes again,
// and sync fails loudly (never "success") once its token is revoked or its database deleted.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "libsql";
import { WORKER_URL, api200, dbPath, b64urlDecodeJson, readyDatabase, sqlClient, syncUntilError } from "./lib.mjs";

const state = JSON.parse(readFileSync(process.env.STATE_FILE, "utf8"));
const OFFLINE_URL = WORKER_URL + "/offline";

test("after a worker restart the offline replica pulls and pushes; a revoked token is an error", async () => {
  const primary = sqlClient(state.token);
  try {
    await primary.execute("INSERT INTO t (v) VALUES ('after-restart')");
    const a = new Database(state.path, { syncUrl: OFFLINE_URL, authToken: state.token, offline: true });
    a.sync();
    const remote = async () => (await primary.execute("SELECT v FROM t ORDER BY id")).rows.map((r) => r.v);
    assert.deepEqual(a.prepare("SELECT v FROM t ORDER BY id").raw().all().map((r) => r[0]), await remote());
    a.exec("INSERT INTO t (v) VALUES ('offline-after-restart')");
    a.sync();
    assert.ok((await remote()).includes("offline-after-restart"));

    const jti = b64urlDecodeJson(state.token.split(".")[1]).jti;
    await api200("DELETE", `${dbPath(state.name)}/auth/tokens/${jti}`);
    const revoked = await syncUntilError(a, "token revoked");
    assert.match(String(revoked.message ?? revoked), /401|revoked|Unauthorized/i);
    a.close();
  } finally {
    primary.close();
  }
});

test("a deleted database is an error for an offline replica", async () => {
  const { token, name } = await readyDatabase("e2e-off-del");
  const primary = sqlClient(token);
  try {
    await primary.batch(["CREATE TABLE d (v)", "INSERT INTO d VALUES (1)"], "write");
  } finally {
    primary.close();
  }
  const replica = new Database(join(mkdtempSync(join(tmpdir(), "e2e-off-del-")), "d.db"),
    { syncUrl: OFFLINE_URL, authToken: token, offline: true });
  replica.sync();
  assert.equal(replica.prepare("SELECT v FROM d").raw().get()[0], 1);
  await api200("DELETE", dbPath(name));
  const gone = await syncUntilError(replica, "database deleted");
  assert.match(String(gone.message ?? gone), /404|NAMESPACE_DOESNT_EXIST/);
  replica.close();
});
