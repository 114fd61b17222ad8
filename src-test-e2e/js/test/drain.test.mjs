// Draining a worker through the Platform API while @libsql/client keeps writing: every database of the drained worker
// moves to the other worker with its data, every write acknowledged before or during the drain is there afterwards,
// and each database answers through every worker's address. Started by ScaleOutIT:
//   WORKER_URLS        comma-separated worker URLs
//   CONTROL_PLANE_URL  a control plane; ADMIN_TOKEN its administrator's token
//   DRAIN_WORKER       the id of the worker to drain
//   SCALE_DATABASES    JSON [{name, token, worker}] (worker = id of the hosting worker; each has a table t(id, v))
import { test } from "node:test";
import assert from "node:assert/strict";
import { createClient } from "@libsql/client";

const workers = process.env.WORKER_URLS.split(",");
const cp = process.env.CONTROL_PLANE_URL;
const admin = { authorization: `Bearer ${process.env.ADMIN_TOKEN}` };
const drained = process.env.DRAIN_WORKER;
const databases = JSON.parse(process.env.SCALE_DATABASES).filter((d) => d.worker === drained);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function count(url, db) {
  const c = createClient({ url, authToken: db.token });
  try {
    return Number((await c.execute("SELECT count(*) AS n FROM t")).rows[0].n);
  } finally {
    c.close();
  }
}

test(`draining ${drained} moves its databases with every acknowledged write`, async () => {
  assert.ok(databases.length >= 1, "the drained worker hosts databases");
  const before = {};
  for (const db of databases) before[db.name] = await count(workers[0], db);

  let phase = "before";
  let stop = false;
  const acked = {};
  const ackedDuring = {};
  let refused = 0;
  // one writer per database, each through another worker's address, until the drain is over
  const writers = databases.map(async (db, k) => {
    acked[db.name] = [];
    ackedDuring[db.name] = 0;
    const client = createClient({ url: workers[k % workers.length], authToken: db.token });
    try {
      for (let i = 0; !stop; i++) {
        const v = `drain-${i}`;
        const at = phase;
        try {
          await client.execute({ sql: "INSERT INTO t (v) VALUES (?)", args: [v] });
          acked[db.name].push(v);
          if (at === "during" && phase === "during") ackedDuring[db.name]++;
        } catch (e) {
          // the source's write fence: a retryable refusal (SQLITE_BUSY) or the database gone from under it
          refused++;
          await sleep(20);
        }
      }
    } finally {
      client.close();
    }
  });
  await sleep(300);

  const r = await fetch(`${cp}/v1/workers/${drained}/drain`, { method: "POST", headers: admin });
  assert.equal(r.status, 200, await r.text());
  phase = "during";
  let view;
  for (let i = 0; i < 600; i++) {
    view = await (await fetch(`${cp}/v1/workers/${drained}`, { headers: admin })).json();
    if (view.worker.drain?.state === "drained") break;
    await sleep(100);
  }
  phase = "after";
  stop = true;
  await Promise.all(writers);
  assert.equal(view.worker.drain?.state, "drained", JSON.stringify(view));
  assert.equal(view.worker.databases, 0);
  console.log(`drain: ${JSON.stringify(acked, (k, v) => (Array.isArray(v) ? v.length : v))} writes acknowledged, `
    + `${JSON.stringify(ackedDuring)} of them during the drain, ${refused} refused by the fence`);

  for (const db of databases) {
    assert.ok(ackedDuring[db.name] >= 1, `${db.name}: a write was acknowledged while the drain ran`);
    for (const url of workers) {
      const client = createClient({ url, authToken: db.token });
      try {
        const rs = await client.execute("SELECT v FROM t WHERE v LIKE 'drain-%'");
        const have = new Set(rs.rows.map((row) => row.v));
        for (const v of acked[db.name]) assert.ok(have.has(v), `${db.name} via ${url}: acknowledged write ${v} lost`);
        // refused writes never committed: exactly the data from before plus what was acknowledged
        assert.equal(await count(url, db), before[db.name] + acked[db.name].length, `${db.name} via ${url}`);
      } finally {
        client.close();
      }
    }
    // and it takes writes through either address afterwards
    for (const url of workers) {
      const client = createClient({ url, authToken: db.token });
      try {
        await client.execute({ sql: "INSERT INTO t (v) VALUES (?)", args: [`after-drain via ${url}`] });
      } finally {
        client.close();
      }
    }
    assert.equal(await count(workers[1], db), before[db.name] + acked[db.name].length + workers.length);
  }
});
