// Offline writes (the `libsql` client's HTTP sync protocol v2, `offline: true`), phase 1 (before the harness
// restarts the worker). Offline replicas use the syncUrl `<worker>/offline`; auto-mode replicas keep the worker's
// root and gRPC replication. Leaves a replica and its token for phase 2 in STATE_FILE.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "libsql";
import { createClient } from "@libsql/client";
import { WORKER_URL, readyDatabase, mintToken, sqlClient } from "./lib.mjs";

const STATE_FILE = process.env.STATE_FILE;
const OFFLINE_URL = WORKER_URL + "/offline";
const dir = mkdtempSync(join(tmpdir(), "e2e-offline-"));

const offline = (file, token) => new Database(join(dir, file), { syncUrl: OFFLINE_URL, authToken: token, offline: true });
const localValues = (replica, sql) => replica.prepare(sql).raw().all().map((r) => r[0]);
const remoteValues = async (primary, sql) => (await primary.execute(sql)).rows.map((r) => Object.values(r)[0]);

test("offline writes are pushed to the primary and reach other replicas; pulls bring the primary's writes", async () => {
  assert.ok(STATE_FILE, "STATE_FILE must be set by the harness");
  const { name, token } = await readyDatabase("e2e-off");
  const primary = sqlClient(token);
  try {
    await primary.batch(["CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)", "INSERT INTO t (v) VALUES ('one')"],
      "write");
    const a = offline("a.db", token);
    a.sync();
    assert.deepEqual(localValues(a, "SELECT v FROM t ORDER BY id"), ["one"]);

    // local writes, then one sync pushes them (two transactions)
    a.exec("INSERT INTO t (v) VALUES ('offline-1')");
    a.transaction(() => {
      a.prepare("INSERT INTO t (v) VALUES (?)").run("offline-2");
      a.prepare("UPDATE t SET v = 'ONE' WHERE id = 1").run();
    })();
    a.sync();
    const expected = ["ONE", "offline-1", "offline-2"];
    assert.deepEqual(await remoteValues(primary, "SELECT v FROM t ORDER BY id"), expected);
    assert.deepEqual(await remoteValues(primary, "PRAGMA integrity_check"), ["ok"]);

    // another offline replica and an auto-mode (gRPC) replica see the pushed writes
    const b = offline("b.db", token);
    b.sync();
    assert.deepEqual(localValues(b, "SELECT v FROM t ORDER BY id"), expected);
    const grpc = new Database(join(dir, "grpc.db"), { syncUrl: WORKER_URL, authToken: token });
    grpc.sync();
    assert.deepEqual(localValues(grpc, "SELECT v FROM t ORDER BY id"), expected);
    grpc.close();

    // the primary's writes (schema change included) reach the offline replica on its next sync
    await primary.batch(["ALTER TABLE t ADD COLUMN n INTEGER DEFAULT 7", "INSERT INTO t (v) VALUES ('from-primary')"],
      "write");
    a.sync();
    assert.deepEqual(localValues(a, "SELECT v || n FROM t ORDER BY id"), [...expected, "from-primary"].map((v) => v + "7"));

    // a transaction larger than one push batch (128 frames): sent in several requests joined by batons
    a.exec("CREATE TABLE big (k INTEGER PRIMARY KEY, blob BLOB)");
    a.exec("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 400) " +
      "INSERT INTO big SELECT x, randomblob(3000) FROM c");
    a.sync();
    assert.deepEqual(await remoteValues(primary, "SELECT count(*) FROM big"), [400]);
    assert.deepEqual(await remoteValues(primary, "PRAGMA integrity_check"), ["ok"]);
    b.sync();
    assert.deepEqual(localValues(b, "SELECT sum(length(blob)) FROM big"), [1200000]);
    a.close();
    b.close();
    writeFileSync(STATE_FILE, JSON.stringify({ name, token, path: join(dir, "a.db") }));
  } finally {
    primary.close();
  }
});

test("a push that does not extend the primary's history is refused with a conflict; the primary is unchanged", async () => {
  const { token } = await readyDatabase("e2e-off-conflict");
  const primary = sqlClient(token);
  try {
    await primary.batch(["CREATE TABLE c (v TEXT)", "INSERT INTO c VALUES ('base')"], "write");
    const r = offline("conflict.db", token);
    r.sync();
    await primary.execute("INSERT INTO c VALUES ('primary-meanwhile')");
    r.exec("INSERT INTO c VALUES ('offline-loser')");
    assert.throws(() => r.sync(), /conflict/i);
    assert.throws(() => r.sync(), /conflict/i); // stays refused: never merged
    assert.deepEqual(await remoteValues(primary, "SELECT v FROM c ORDER BY rowid"), ["base", "primary-meanwhile"]);
    // the replica's local data is untouched
    assert.deepEqual(localValues(r, "SELECT v FROM c ORDER BY rowid"), ["base", "offline-loser"]);
    r.close();
  } finally {
    primary.close();
  }
});

test("a read-only token may pull but not push", async () => {
  const { name, token } = await readyDatabase("e2e-off-ro");
  const primary = sqlClient(token);
  try {
    await primary.batch(["CREATE TABLE r (v)", "INSERT INTO r VALUES (42)"], "write");
    const ro = offline("ro.db", await mintToken(name, { readOnly: true }));
    ro.sync();
    assert.deepEqual(localValues(ro, "SELECT v FROM r"), [42]);
    ro.exec("INSERT INTO r VALUES (43)");
    assert.throws(() => ro.sync(), /403|read-only/);
    assert.deepEqual(await remoteValues(primary, "SELECT v FROM r"), [42]);
    ro.close();
  } finally {
    primary.close();
  }
});

test("@libsql/client with offline: true pushes local writes", async () => {
  const { token } = await readyDatabase("e2e-off-client");
  const primary = sqlClient(token);
  try {
    await primary.execute("CREATE TABLE k (v TEXT)");
    const client = createClient({ url: "file:" + join(dir, "client.db"), syncUrl: OFFLINE_URL, authToken: token,
      offline: true });
    try {
      await client.sync();
      await client.execute("INSERT INTO k VALUES ('from-client')");
      await client.sync();
      assert.deepEqual(await remoteValues(primary, "SELECT v FROM k"), ["from-client"]);
      await primary.execute("INSERT INTO k VALUES ('from-primary')");
      await client.sync();
      assert.deepEqual((await client.execute("SELECT v FROM k ORDER BY rowid")).rows.map((r) => r.v),
        ["from-client", "from-primary"]);
    } finally {
      client.close();
    }
  } finally {
    primary.close();
  }
});

test("an auto-mode replica at the worker's root still uses gRPC replication (/info there is 404)", async () => {
  const { token } = await readyDatabase("e2e-off-auto");
  const probe = await fetch(WORKER_URL + "/info", { headers: { authorization: "Bearer " + token } });
  assert.equal(probe.status, 404);
  const info = await fetch(OFFLINE_URL + "/info", { headers: { authorization: "Bearer " + token } });
  assert.equal(info.status, 200);
  assert.ok((await info.json()).current_generation >= 1);
});

test("hostile offline-sync requests get typed errors (never a 500, never an end of generation) and change nothing", async () => {
  const { token } = await readyDatabase("e2e-off-hostile");
  const primary = sqlClient(token);
  try {
    await primary.batch(["CREATE TABLE h (v TEXT)", "INSERT INTO h VALUES ('kept')"], "write");
    const auth = { authorization: "Bearer " + token };
    const get = (path) => fetch(OFFLINE_URL + path, { headers: auth });
    const post = (path, body) => fetch(OFFLINE_URL + path, { method: "POST", headers: auth, body });
    const gen = (await (await get("/info")).json()).current_generation;
    // where the generation ends: pull until the end-of-generation answer
    let frames = 0;
    for (;;) {
      const r = await get(`/sync/${gen}/${frames + 1}/${frames + 129}`);
      if (r.status === 400) {
        assert.deepEqual(await r.json(), { generation: gen });
        break;
      }
      assert.equal(r.status, 200);
      frames += (await r.arrayBuffer()).byteLength / 4120;
    }
    assert.ok(frames > 0);
    const expectCode = async (response, status, code) => {
      const text = await response.text();
      assert.equal(response.status, status, text);
      assert.equal(JSON.parse(text).code, code, text);
    };
    await expectCode(await get(`/sync/0/1/2`), 416, "SYNC_BAD_RANGE");
    await expectCode(await get(`/sync/${gen}/x/2`), 416, "SYNC_BAD_RANGE");
    await expectCode(await get(`/sync/${gen}/5/3`), 416, "SYNC_BAD_RANGE");
    await expectCode(await get(`/sync/${gen}/1/99999999999`), 416, "SYNC_BAD_RANGE");
    await expectCode(await get(`/sync/${gen + 5}/1/2`), 409, "SYNC_REPLICA_AHEAD");
    await expectCode(await get(`/sync/${gen}/${frames + 5}/${frames + 10}`), 409, "SYNC_REPLICA_AHEAD");
    await expectCode(await get(`/export/${gen + 1}`), 410, "SYNC_GENERATION_GONE");
    await expectCode(await get(`/export/abc`), 416, "SYNC_BAD_RANGE");

    const next = frames + 1;
    const frame = (pageNo, sizeAfter, page) => {
      const f = Buffer.alloc(4120);
      f.writeUInt32BE(pageNo, 0);
      f.writeUInt32BE(sizeAfter, 4);
      page.copy(f, 24);
      return f;
    };
    const pages = (await primary.execute("PRAGMA page_count")).rows[0][0];
    await expectCode(await post(`/sync/${gen}/${next}/${next + 1}`, Buffer.alloc(100)), 422, "SYNC_BAD_FRAMES");
    await expectCode(await post(`/sync/${gen}/${next}/${next + 1}`, Buffer.alloc(24 + 8192)), 422, "SYNC_BAD_FRAMES");
    await expectCode(await post(`/sync/${gen}/${next}/${next + 2}`, frame(2, pages, Buffer.alloc(4096))), 422,
      "SYNC_BAD_FRAMES");
    const garbage = Buffer.alloc(4096);
    for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 7919) & 0xff;
    await expectCode(await post(`/sync/${gen}/${next}/${next + 1}`, frame(2, pages, garbage)), 422, "SYNC_BAD_FRAMES");
    // past the database's storage limit (the plan's quota): refused before anything is written
    await expectCode(await post(`/sync/${gen}/${next}/${next + 1}`, frame(4000000, 4000000, garbage)), 403,
      "SYNC_STORAGE_FULL");
    await expectCode(await post(`/sync/${gen}/${next}/${next + 1}`, frame(pages + 1, pages + 1, garbage)), 422,
      "SYNC_BAD_FRAMES");
    // a frame the primary does not have at a position it already logged: conflict, not last-write-wins
    const conflict = await post(`/sync/${gen}/1/2`, frame(2, pages, garbage));
    assert.equal(conflict.status, 200);
    assert.equal((await conflict.json()).status, "conflict");
    // without a token / with a bad one
    assert.equal((await fetch(OFFLINE_URL + "/info")).status, 401);
    assert.equal((await fetch(OFFLINE_URL + `/sync/${gen}/1/2`, { headers: { authorization: "Bearer x.y.z" } })).status,
      401);

    assert.deepEqual(await remoteValues(primary, "SELECT v FROM h"), ["kept"]);
    assert.deepEqual(await remoteValues(primary, "PRAGMA integrity_check"), ["ok"]);
  } finally {
    primary.close();
  }
});
