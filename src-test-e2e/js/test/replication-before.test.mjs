// Embedded replicas, phase 1 (before the harness restarts the worker): the unmodified `libsql` npm package and
// @libsql/client with `syncUrl` sync against the worker's frame log over gRPC-web (wal_log.ReplicationLog).
// Leaves the replica files and tokens for phase 2 in STATE_FILE.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "libsql";
import { createClient } from "@libsql/client";
import { WORKER_URL, readyDatabase, mintToken, sqlClient } from "./lib.mjs";

const STATE_FILE = process.env.STATE_FILE;
const dir = mkdtempSync(join(tmpdir(), "e2e-replicas-"));

/** The same query on the primary (over HTTP) and on the local replica; both must give the same rows. */
async function sameOnBoth(primary, replica, sql) {
  const remote = (await primary.execute(sql)).rows.map((r) => JSON.stringify(Object.values(r)));
  const local = replica.prepare(sql).raw().all().map((r) => JSON.stringify(r));
  assert.deepEqual(local, remote, sql);
  return local.length;
}

test("first sync, then incremental syncs of inserts, updates, deletes and schema changes", async () => {
  assert.ok(STATE_FILE, "STATE_FILE must be set by the harness");
  const { name, db, token } = await readyDatabase("e2e-repl");
  const primary = sqlClient(token);
  const path = join(dir, "replica.db");
  try {
    await primary.batch([
      "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)",
      "INSERT INTO t (v) VALUES ('one'), ('two'), ('three')",
    ], "write");

    const replica = new Database(path, { syncUrl: WORKER_URL, authToken: token });
    const first = replica.sync();
    assert.ok(first.frame_no > 0, `first sync reports a frame: ${JSON.stringify(first)}`);
    assert.equal(await sameOnBoth(primary, replica, "SELECT id, v FROM t ORDER BY id"), 3);

    // nothing new: a sync is a no-op that still succeeds at the same frame
    const again = replica.sync();
    assert.equal(again.frame_no, first.frame_no);
    assert.equal(again.frames_synced, 0);

    await primary.execute("INSERT INTO t (v) VALUES ('four')");
    await primary.execute("UPDATE t SET v = 'TWO' WHERE id = 2");
    await primary.execute("DELETE FROM t WHERE id = 1");
    await primary.batch([
      "ALTER TABLE t ADD COLUMN n INTEGER DEFAULT 7",
      "CREATE INDEX t_v ON t (v)",
      "CREATE TABLE other (k TEXT PRIMARY KEY, blob BLOB)",
      "INSERT INTO other VALUES ('a', randomblob(10000))",
    ], "write");
    const second = replica.sync();
    assert.ok(second.frame_no > first.frame_no, JSON.stringify(second));
    assert.equal(await sameOnBoth(primary, replica, "SELECT id, v, n FROM t ORDER BY id"), 3);
    await sameOnBoth(primary, replica, "SELECT k, hex(blob) FROM other");
    await sameOnBoth(primary, replica, "SELECT name FROM sqlite_schema ORDER BY name");

    // a commit larger than one BatchLogEntries answer (1024 frames): several batches inside one transaction
    await primary.execute("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1500) " +
      "INSERT INTO other SELECT 'big' || x, randomblob(3000) FROM c");
    replica.sync();
    assert.equal(await sameOnBoth(primary, replica, "SELECT count(*), sum(length(blob)) FROM other"), 1);
    const reached = replica.sync().frame_no;
    replica.close();
    // PRAGMAs on a replica are forwarded to the primary: check the local file with a plain local connection
    const plain = new Database(path, { readonly: true });
    assert.equal(plain.prepare("PRAGMA integrity_check").raw().get()[0], "ok");
    plain.close();

    writeFileSync(STATE_FILE, JSON.stringify({ name, id: db.DbId, token, path, reached }));
  } finally {
    primary.close();
  }
});

test("a read-only token may sync; a bad token fails at open", async () => {
  const { name, token } = await readyDatabase("e2e-repl-ro");
  const primary = sqlClient(token);
  try {
    await primary.batch(["CREATE TABLE r (v)", "INSERT INTO r VALUES (42)"], "write");
  } finally {
    primary.close();
  }
  const readOnly = await mintToken(name, { readOnly: true });
  const replica = new Database(join(dir, "ro.db"), { syncUrl: WORKER_URL, authToken: readOnly });
  replica.sync();
  assert.equal(replica.prepare("SELECT v FROM r").raw().get()[0], 42);
  replica.close();

  assert.throws(() => new Database(join(dir, "bad.db"), { syncUrl: WORKER_URL, authToken: token + "x" }),
    /Unauthorized/);
});

test("@libsql/client with syncUrl reads the synced replica locally", async () => {
  const { token } = await readyDatabase("e2e-repl-client");
  const primary = sqlClient(token);
  try {
    await primary.batch(["CREATE TABLE c (v TEXT)", "INSERT INTO c VALUES ('from-primary')"], "write");
    const client = createClient({ url: "file:" + join(dir, "client.db"), syncUrl: WORKER_URL, authToken: token });
    try {
      await client.sync();
      assert.deepEqual((await client.execute("SELECT v FROM c")).rows.map((r) => r.v), ["from-primary"]);
      await primary.execute("INSERT INTO c VALUES ('later')");
      await client.sync();
      assert.deepEqual((await client.execute("SELECT v FROM c ORDER BY v")).rows.map((r) => r.v),
        ["from-primary", "later"]);
    } finally {
      client.close();
    }
  } finally {
    primary.close();
  }
});

test("writes through a replica run on the primary and are readable locally at once (read-your-writes)", async () => {
  const { name, token } = await readyDatabase("e2e-repl-write");
  const primary = sqlClient(token);
  try {
    await primary.execute("CREATE TABLE w (id INTEGER PRIMARY KEY, v TEXT UNIQUE)");
    const replica = new Database(join(dir, "write.db"), { syncUrl: WORKER_URL, authToken: token });
    replica.sync();

    replica.exec("INSERT INTO w (v) VALUES ('exec')");
    const info = replica.prepare("INSERT INTO w (v) VALUES (?)").run("positional");
    assert.equal(info.changes, 1);
    replica.prepare("INSERT INTO w (v) VALUES (:v)").run({ v: "named" });
    const both = replica.transaction(() => {
      replica.prepare("INSERT INTO w (v) VALUES (?)").run("tx-a");
      replica.prepare("INSERT INTO w (v) VALUES (?)").run("tx-b");
    });
    both();
    const expected = ["exec", "positional", "named", "tx-a", "tx-b"];
    // readable locally without an explicit sync: the client synced after each forwarded write
    assert.deepEqual(replica.prepare("SELECT v FROM w ORDER BY id").raw().all().map((r) => r[0]), expected);
    assert.deepEqual((await primary.execute("SELECT v FROM w ORDER BY id")).rows.map((r) => r.v), expected);

    // a failing forwarded statement is an error with SQLite's reason, and changes nothing
    assert.throws(() => replica.exec("INSERT INTO w (v) VALUES ('exec')"), /UNIQUE|CONSTRAINT/i);
    // a rolled-back transaction through the replica leaves nothing behind
    assert.throws(() => replica.transaction(() => {
      replica.prepare("INSERT INTO w (v) VALUES (?)").run("rolled-back");
      throw new Error("abort");
    })(), /abort/);
    replica.sync();
    assert.equal(replica.prepare("SELECT count(*) FROM w").raw().get()[0], expected.length);
    replica.close();

    // a read-only token syncs but cannot write through the replica
    const ro = new Database(join(dir, "write-ro.db"), { syncUrl: WORKER_URL,
      authToken: await mintToken(name, { readOnly: true }) });
    ro.sync();
    assert.throws(() => ro.exec("INSERT INTO w (v) VALUES ('ro')"), /read-only|READONLY|not allowed|permission/i);
    ro.close();
    assert.equal((await primary.execute("SELECT count(*) AS n FROM w")).rows[0].n, expected.length);

    // @libsql/client with syncUrl forwards writes the same way
    const client = createClient({ url: "file:" + join(dir, "write-client.db"), syncUrl: WORKER_URL, authToken: token });
    try {
      await client.sync();
      await client.execute({ sql: "INSERT INTO w (v) VALUES (?)", args: ["via-client"] });
      await client.sync();
      assert.equal((await client.execute("SELECT count(*) AS n FROM w WHERE v = 'via-client'")).rows[0].n, 1);
    } finally {
      client.close();
    }
    assert.equal((await primary.execute("SELECT count(*) AS n FROM w")).rows[0].n, expected.length + 1);
  } finally {
    primary.close();
  }
});
