// Embedded replicas, phase 2 (the worker was restarted): the replica left by phase 1 continues where it stopped,
// and sync fails loudly (never "success") once its token is revoked or its database deleted.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import Database from "libsql";
import { WORKER_URL, api200, dbPath, b64urlDecodeJson, sqlClient, syncUntilError } from "./lib.mjs";

const state = JSON.parse(readFileSync(process.env.STATE_FILE, "utf8"));

test("after a worker restart the replica continues from its frame; revocation and deletion are typed errors", async () => {
  const primary = sqlClient(state.token);
  try {
    await primary.execute("INSERT INTO t (v) VALUES ('after-restart')");
    const replica = new Database(state.path, { syncUrl: WORKER_URL, authToken: state.token });
    const r = replica.sync();
    assert.ok(r.frame_no > state.reached, `continued past ${state.reached}: ${JSON.stringify(r)}`);
    const local = replica.prepare("SELECT v FROM t ORDER BY id").raw().all().map((x) => x[0]);
    const remote = (await primary.execute("SELECT v FROM t ORDER BY id")).rows.map((x) => x.v);
    assert.deepEqual(local, remote);
    assert.ok(local.includes("after-restart"));

    // revoke the token: the next syncs fail (the reason is in the worker's answer), local reads keep working
    const jti = b64urlDecodeJson(state.token.split(".")[1]).jti;
    await api200("DELETE", `${dbPath(state.name)}/auth/tokens/${jti}`);
    const revoked = await syncUntilError(replica, "token revoked");
    assert.match(String(revoked.message ?? revoked), /Replication|Unauthenticated|revoked|Handshake/i);
    assert.equal(replica.prepare("SELECT count(*) FROM t").raw().get()[0], local.length);
    replica.close();
  } finally {
    primary.close();
  }
});

test("a deleted database answers NamespaceDoesntExist", async () => {
  const { token, name } = await (await import("./lib.mjs")).readyDatabase("e2e-repl-del");
  const primary = sqlClient(token);
  try {
    await primary.batch(["CREATE TABLE d (v)", "INSERT INTO d VALUES (1)"], "write");
  } finally {
    primary.close();
  }
  const { mkdtempSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const replica = new Database(join(mkdtempSync(join(tmpdir(), "e2e-del-")), "d.db"),
    { syncUrl: WORKER_URL, authToken: token });
  replica.sync();
  assert.equal(replica.prepare("SELECT v FROM d").raw().get()[0], 1);
  await api200("DELETE", dbPath(name));
  const gone = await syncUntilError(replica, "database deleted");
  assert.match(String(gone.message ?? gone), /NamespaceDoesntExist/);
  replica.close();
});
