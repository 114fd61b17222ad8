// Restart scenario, phase 2 (after the harness restarted both processes on the same data and ports):
// databases, previously minted tokens and data are all still there.
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { LibsqlError } from "@libsql/client";
import { api200, dbPath, rejection, sqlClient, sleep, ORG } from "./lib.mjs";

const state = JSON.parse(readFileSync(process.env.STATE_FILE, "utf8"));

/** After a restart the worker may need a moment (heartbeat, key push); allow it, then demand success. */
async function eventually(fn, what, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      if (Date.now() > deadline) throw new Error(`${what}: ${e.code ?? ""} ${e.message}`);
      await sleep(250);
    }
  }
}

before(async () => {
  const c = sqlClient(state.one.token);
  try {
    await eventually(() => c.execute("SELECT 1"), "worker answers after restart");
  } finally {
    c.close();
  }
});

test("the databases are still listed with the same ids and hostnames", async () => {
  const list = await api200("GET", `/v1/organizations/${ORG}/databases`);
  for (const db of [state.one, state.two]) {
    const found = list.databases.find((d) => d.Name === db.name);
    assert.ok(found, `${db.name} missing after restart`);
    assert.equal(found.DbId, db.id);
    assert.equal(found.Hostname, db.hostname);
    const single = await api200("GET", dbPath(db.name));
    assert.equal(single.database.DbId, db.id);
  }
});

test("tokens minted before the restart still work, with the same rights", async () => {
  const rw = sqlClient(state.one.token);
  const ro = sqlClient(state.one.readOnly);
  try {
    const rs = await rw.execute("SELECT body, data FROM notes WHERE id = 1");
    assert.equal(rs.rows[0].body, "survives ✓");
    assert.deepEqual(Array.from(new Uint8Array(rs.rows[0].data)), state.blob);
    const count = await ro.execute("SELECT count(*) AS n FROM notes");
    assert.equal(count.rows[0].n, 1001);
    const last = await ro.execute("SELECT body FROM notes ORDER BY id DESC LIMIT 1");
    assert.equal(last.rows[0].body, "last-before-stop");
    const e = await rejection(ro.execute("DELETE FROM notes"), "read-only token writing after restart");
    assert.ok(e instanceof LibsqlError);
    await rw.execute({ sql: "INSERT INTO notes (body) VALUES (?)", args: ["after-restart"] });
    const again = await rw.execute("SELECT count(*) AS n FROM notes");
    assert.equal(again.rows[0].n, 1002);
  } finally {
    rw.close();
    ro.close();
  }
});

test("the second database kept its own data, exact", async () => {
  const c = sqlClient(state.two.token, { intMode: "bigint" });
  try {
    const rs = await c.execute("SELECT v FROM other");
    assert.deepEqual(rs.rows.map((r) => r.v), [9007199254740993n]);
    const e = await rejection(c.execute("SELECT * FROM notes"), "database two reading database one's table");
    assert.ok(e instanceof LibsqlError);
  } finally {
    c.close();
  }
});

test("new tokens can still be minted and used", async () => {
  const { jwt } = await api200("POST", `${dbPath(state.two.name)}/auth/tokens?authorization=read-only`);
  const c = sqlClient(jwt);
  try {
    const rs = await c.execute("SELECT count(*) AS n FROM other");
    assert.equal(rs.rows[0].n, 1);
  } finally {
    c.close();
  }
});
