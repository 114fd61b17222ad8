// Several workers behind one address: every database answers @libsql/client through EVERY worker's URL (the worker
// that does not host it forwards the request, interactive transactions and their batons included), routed by the
// token's `id` at the bare address (ScaleOutIT checks hostname routing). Started by ScaleOutIT (two control planes, two workers):
//   WORKER_URLS       comma-separated worker URLs
//   WORKER_IDS        the same workers' ids
//   SCALE_DATABASES   JSON [{name, token, worker}] (worker = id of the hosting worker)
import { test } from "node:test";
import assert from "node:assert/strict";
import { createClient } from "@libsql/client";

const workers = process.env.WORKER_URLS.split(",");
const workerIds = process.env.WORKER_IDS.split(",");
const databases = JSON.parse(process.env.SCALE_DATABASES);

test("the databases live on more than one worker", () => {
  const hosts = new Set(databases.map((d) => d.worker));
  assert.deepEqual([...hosts].sort(), [...workerIds].sort());
});

for (const db of databases) {
  test(`${db.name} (on ${db.worker}) answers through every worker`, async () => {
    const writer = createClient({ url: workers[0], authToken: db.token });
    await writer.execute("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT)");
    writer.close();
    for (const [i, url] of workers.entries()) {
      const via = workerIds[i];
      const client = createClient({ url, authToken: db.token });
      try {
        await client.execute({ sql: "INSERT INTO t (v) VALUES (?)", args: [`via ${via}`] });
        const rs = await client.execute({ sql: "SELECT v FROM t WHERE v = ?", args: [`via ${via}`] });
        assert.equal(rs.rows.length, 1);
        // a batch: one request
        const batch = await client.batch(["INSERT INTO t (v) VALUES ('batch')", "SELECT count(*) AS n FROM t"], "write");
        assert.ok(Number(batch[1].rows[0].n) >= 2);
        // an interactive transaction: several requests sharing a baton, all through this worker
        const tx = await client.transaction("write");
        await tx.execute({ sql: "INSERT INTO t (v) VALUES (?)", args: [`tx ${via}`] });
        const inside = await tx.execute({ sql: "SELECT count(*) AS n FROM t WHERE v = ?", args: [`tx ${via}`] });
        assert.equal(Number(inside.rows[0].n), 1);
        await tx.commit();
        const after = await client.execute({ sql: "SELECT count(*) AS n FROM t WHERE v = ?", args: [`tx ${via}`] });
        assert.equal(Number(after.rows[0].n), 1);
        // a rolled-back transaction leaves nothing behind
        const rolled = await client.transaction("write");
        await rolled.execute("INSERT INTO t (v) VALUES ('rolled back')");
        await rolled.rollback();
        const none = await client.execute("SELECT count(*) AS n FROM t WHERE v = 'rolled back'");
        assert.equal(Number(none.rows[0].n), 0);
      } finally {
        client.close();
      }
    }
  });

}

test("a token that names no database is refused with 401 by every worker", async () => {
  for (const url of workers) {
    const client = createClient({ url, authToken: "not-a-token" });
    await assert.rejects(client.execute("SELECT 1"), (e) => /401|UNAUTHORIZED|token/i.test(String(e?.message ?? e)));
    client.close();
  }
});

test("every write made through any worker is visible through every other", async () => {
  for (const db of databases) {
    const counts = [];
    for (const url of workers) {
      const client = createClient({ url, authToken: db.token });
      const rs = await client.execute("SELECT count(*) AS n FROM t");
      counts.push(Number(rs.rows[0].n));
      client.close();
    }
    assert.equal(new Set(counts).size, 1, `${db.name}: ${counts}`);
    // 2 inserts + 2 batch rows + 2 transactions per worker
    assert.equal(counts[0], workers.length * 3);
  }
});

// libsql://… URLs (Turso's default) speak Hrana over WebSocket: a connection to the worker that does not host the
// database is relayed to the one that does, for its whole life (own table, so the counts above stay exact)
test("every database answers over WebSocket through every worker", async () => {
  for (const db of databases) {
    for (const [i, url] of workers.entries()) {
      const via = workerIds[i];
      const client = createClient({ url: url.replace(/^http/, "ws"), authToken: db.token });
      try {
        await client.execute("CREATE TABLE IF NOT EXISTS ws_t (id INTEGER PRIMARY KEY, v TEXT)");
        await client.execute({ sql: "INSERT INTO ws_t (v) VALUES (?)", args: [`ws via ${via}`] });
        const tx = await client.transaction("write");
        await tx.execute({ sql: "INSERT INTO ws_t (v) VALUES (?)", args: [`ws tx via ${via}`] });
        await tx.commit();
        const rs = await client.execute({ sql: "SELECT count(*) AS n FROM ws_t WHERE v LIKE ?", args: [`%via ${via}`] });
        assert.equal(Number(rs.rows[0].n), 2, `${db.name} through ${via}`);
      } finally {
        client.close();
      }
    }
    // written once, on the hosting worker: both paths see the same rows
    const check = createClient({ url: workers[0], authToken: db.token });
    const all = await check.execute("SELECT count(*) AS n FROM ws_t");
    assert.equal(Number(all.rows[0].n), workers.length * 2, db.name);
    check.close();
  }
});
