// SQL over HTTP with the official @libsql/client 0.18.0, unmodified, against a real worker.
import { before, after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { LibsqlError } from "@libsql/client";
import {
  readyDatabase, mintToken, sqlClient, rejection, waitUntilReady, rawPipeline, WORKER_URL, api, dbPath, sleep,
} from "./lib.mjs";

let A; // {name, db, token}
let B;
let client; // full-access client for A
const clients = [];

function track(c) {
  clients.push(c);
  return c;
}

before(async () => {
  [A, B] = await Promise.all([readyDatabase("e2e-sql-a"), readyDatabase("e2e-sql-b")]);
  client = track(sqlClient(A.token));
});

after(() => {
  for (const c of clients) c.close();
});

function assertLibsqlError(e, codePattern) {
  assert.ok(e instanceof LibsqlError, `expected a LibsqlError, got ${e?.constructor?.name}: ${e?.message}`);
  if (codePattern) {
    assert.match(e.code, codePattern, `unexpected error code ${e.code} (${e.message})`);
  }
  assert.ok(e.message.length > 0);
}

describe("values round-trip", () => {
  const blob = new Uint8Array(256).map((_, i) => i);
  const text = "héllo wörld — 日本語 ✓ 🎉👩‍👩‍👧 עברית \t\n\"quoted\" 'single' \\ end";

  test("every value type survives an insert and a select", async () => {
    await client.execute(
      "CREATE TABLE vals (id INTEGER PRIMARY KEY, i INTEGER, f REAL, s TEXT, b BLOB, n, v VARCHAR(10))");
    const ins = await client.execute({
      sql: "INSERT INTO vals (i, f, s, b, n, v) VALUES (?, ?, ?, ?, ?, ?)",
      args: [42n, 3.25, text, blob, null, "short"],
    });
    assert.equal(ins.rowsAffected, 1);
    assert.equal(ins.lastInsertRowid, 1n);

    const rs = await client.execute("SELECT id, i, f, s, b, n, v FROM vals");
    assert.deepEqual(rs.columns, ["id", "i", "f", "s", "b", "n", "v"]);
    assert.equal(rs.rows.length, 1);
    const row = rs.rows[0];
    assert.equal(row.id, 1);
    assert.equal(row.i, 42);
    assert.equal(typeof row.i, "number");
    assert.equal(row.f, 3.25);
    assert.equal(row.s, text);
    assert.ok(row.b instanceof ArrayBuffer, `blob came back as ${row.b?.constructor?.name}`);
    assert.deepEqual(new Uint8Array(row.b), blob);
    assert.equal(row.n, null);
    assert.equal(row.v, "short");
    // positional access works too
    assert.equal(row[3], text);
  });

  test("declared column types come back verbatim (decltype)", async () => {
    const rs = await client.execute("SELECT id, i, f, s, b, n, v FROM vals");
    assert.deepEqual(rs.columnTypes, ["INTEGER", "INTEGER", "REAL", "TEXT", "BLOB", "", "VARCHAR(10)"]);
  });

  test("64-bit integers are exact with intMode bigint", async () => {
    const big = track(sqlClient(A.token, { intMode: "bigint" }));
    await big.execute("CREATE TABLE ints (v INTEGER)");
    const values = [0n, 1n, -1n, 9007199254740993n, 9223372036854775807n, -9223372036854775808n];
    for (const v of values) {
      await big.execute({ sql: "INSERT INTO ints VALUES (?)", args: [v] });
    }
    const rs = await big.execute("SELECT v, typeof(v) AS t FROM ints ORDER BY rowid");
    assert.deepEqual(rs.rows.map((r) => r.v), values);
    assert.deepEqual(rs.rows.map((r) => r.t), values.map(() => "integer"));
    // integers computed by SQL keep their precision too
    const sum = await big.execute("SELECT 9223372036854775806 + 1 AS m");
    assert.equal(sum.rows[0].m, 9223372036854775807n);
  });

  test("JS numbers arrive as floats; SQL integers come back as numbers by default", async () => {
    const rs = await client.execute({ sql: "SELECT ? AS x, typeof(?) AS t, 7 AS seven, 1.5e300 AS huge, -0.125 AS neg",
      args: [42, 42] });
    assert.equal(rs.rows[0].x, 42);
    assert.equal(rs.rows[0].t, "real");
    assert.equal(rs.rows[0].seven, 7);
    assert.equal(rs.rows[0].huge, 1.5e300);
    assert.equal(rs.rows[0].neg, -0.125);
  });

  test("booleans, named arguments and strings mode", async () => {
    const rs = await client.execute({ sql: "SELECT :a AS a, @b AS b, $c AS c", args: { a: "x", b: true, c: 2.5 } });
    assert.equal(rs.rows[0].a, "x");
    assert.equal(rs.rows[0].b, 1);
    assert.equal(rs.rows[0].c, 2.5);
    const str = track(sqlClient(A.token, { intMode: "string" }));
    const r2 = await str.execute("SELECT 9223372036854775807 AS m");
    assert.equal(r2.rows[0].m, "9223372036854775807");
  });

  test("a 1 MB blob round-trips byte for byte", async () => {
    const size = 1024 * 1024;
    const data = new Uint8Array(size);
    for (let i = 0; i < size; i++) data[i] = (i * 31 + (i >> 8)) & 0xff;
    await client.execute("CREATE TABLE blobs (id INTEGER PRIMARY KEY, b BLOB)");
    await client.execute({ sql: "INSERT INTO blobs (b) VALUES (?)", args: [data] });
    const rs = await client.execute("SELECT b, length(b) AS len FROM blobs");
    assert.equal(rs.rows[0].len, size);
    assert.deepEqual(new Uint8Array(rs.rows[0].b), data);
  });

  test("a 10,000-row result arrives complete", async () => {
    await client.execute("CREATE TABLE big (id INTEGER PRIMARY KEY, label TEXT NOT NULL)");
    const ins = await client.execute(
      "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 10000) " +
      "INSERT INTO big (id, label) SELECT x, 'row-' || x FROM c");
    assert.equal(ins.rowsAffected, 10000);
    const rs = await client.execute("SELECT id, label FROM big ORDER BY id");
    assert.equal(rs.rows.length, 10000);
    assert.equal(rs.rows[0].label, "row-1");
    assert.equal(rs.rows[9999].id, 10000);
    assert.equal(rs.rows[9999].label, "row-10000");
    const total = rs.rows.reduce((acc, r) => acc + r.id, 0);
    assert.equal(total, 10000 * 10001 / 2);
  });
});

describe("batches", () => {
  test("a write batch commits all its statements", async () => {
    await client.execute("CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL)");
    const results = await client.batch([
      { sql: "INSERT INTO people (name) VALUES (?)", args: ["ada"] },
      { sql: "INSERT INTO people (name) VALUES (?)", args: ["grace"] },
      "SELECT count(*) AS n FROM people",
    ], "write");
    assert.equal(results.length, 3);
    assert.equal(results[0].rowsAffected, 1);
    assert.equal(results[2].rows[0].n, 2);
  });

  test("a failing statement rolls the whole batch back", async () => {
    const e = await rejection(client.batch([
      { sql: "INSERT INTO people (name) VALUES (?)", args: ["linus"] },
      { sql: "INSERT INTO people (name) VALUES (?)", args: ["ada"] }, // UNIQUE violation
      { sql: "INSERT INTO people (name) VALUES (?)", args: ["ken"] },
    ], "write"), "batch with a UNIQUE violation");
    assertLibsqlError(e, /^SQLITE_CONSTRAINT/);
    const rs = await client.execute("SELECT name FROM people ORDER BY id");
    assert.deepEqual(rs.rows.map((r) => r.name), ["ada", "grace"], "no statement of the failed batch may persist");
  });

  test("a read batch refuses writes", async () => {
    const e = await rejection(client.batch([
      "SELECT count(*) FROM people",
      { sql: "INSERT INTO people (name) VALUES (?)", args: ["readonly-batch"] },
    ], "read"), "write in a read batch");
    assertLibsqlError(e);
    const rs = await client.execute({ sql: "SELECT count(*) AS n FROM people WHERE name = ?", args: ["readonly-batch"] });
    assert.equal(rs.rows[0].n, 0);
  });

  test("executeMultiple runs a script", async () => {
    await client.executeMultiple(`
      CREATE TABLE script_t (x INTEGER);
      INSERT INTO script_t VALUES (1);
      INSERT INTO script_t VALUES (2);
    `);
    const rs = await client.execute("SELECT sum(x) AS s FROM script_t");
    assert.equal(rs.rows[0].s, 3);
  });
});

describe("interactive transactions", () => {
  test("commit makes the writes visible", async () => {
    await client.execute("CREATE TABLE ledger (id INTEGER PRIMARY KEY, amount INTEGER NOT NULL)");
    const tx = await client.transaction("write");
    try {
      await tx.execute({ sql: "INSERT INTO ledger (amount) VALUES (?)", args: [100n] });
      await tx.execute({ sql: "INSERT INTO ledger (amount) VALUES (?)", args: [-30n] });
      const inside = await tx.execute("SELECT sum(amount) AS s FROM ledger");
      assert.equal(inside.rows[0].s, 70);
      await tx.commit();
    } finally {
      tx.close();
    }
    const rs = await client.execute("SELECT sum(amount) AS s, count(*) AS n FROM ledger");
    assert.equal(rs.rows[0].s, 70);
    assert.equal(rs.rows[0].n, 2);
  });

  test("uncommitted writes are invisible to other streams; rollback discards them", async () => {
    const tx = await client.transaction("write");
    try {
      await tx.execute({ sql: "INSERT INTO ledger (amount) VALUES (?)", args: [1000n] });
      const other = track(sqlClient(A.token));
      const outside = await other.execute("SELECT count(*) AS n FROM ledger");
      assert.equal(outside.rows[0].n, 2, "a concurrent reader must not see uncommitted rows");
      await tx.rollback();
    } finally {
      tx.close();
    }
    const rs = await client.execute("SELECT count(*) AS n FROM ledger");
    assert.equal(rs.rows[0].n, 2);
  });

  test("a read transaction reads but refuses writes", async () => {
    const tx = await client.transaction("read");
    try {
      const rs = await tx.execute("SELECT count(*) AS n FROM ledger");
      assert.equal(rs.rows[0].n, 2);
      const e = await rejection(tx.execute({ sql: "INSERT INTO ledger (amount) VALUES (?)", args: [5n] }),
        "INSERT in transaction(\"read\")");
      assertLibsqlError(e);
    } finally {
      tx.close();
    }
    const rs = await client.execute("SELECT count(*) AS n FROM ledger");
    assert.equal(rs.rows[0].n, 2);
  });

  test("a deferred transaction can read then write", async () => {
    const tx = await client.transaction("deferred");
    try {
      await tx.execute("SELECT count(*) FROM ledger");
      await tx.execute({ sql: "INSERT INTO ledger (amount) VALUES (?)", args: [1n] });
      await tx.commit();
    } finally {
      tx.close();
    }
    const rs = await client.execute("SELECT count(*) AS n FROM ledger");
    assert.equal(rs.rows[0].n, 3);
  });
});

describe("errors", () => {
  test("a UNIQUE violation is a LibsqlError with a SQLITE_CONSTRAINT code", async () => {
    const e = await rejection(client.execute({ sql: "INSERT INTO people (name) VALUES (?)", args: ["ada"] }),
      "duplicate insert");
    assertLibsqlError(e, /^SQLITE_CONSTRAINT/);
  });

  test("a syntax error is a LibsqlError and the connection stays usable", async () => {
    const e = await rejection(client.execute("SELEC 1"), "syntax error");
    assertLibsqlError(e);
    assert.match(e.message, /syntax|SELEC/i);
    const e2 = await rejection(client.execute("SELECT * FROM no_such_table"), "unknown table");
    assertLibsqlError(e2);
    assert.match(e2.message, /no_such_table/);
    const rs = await client.execute("SELECT 1 AS one");
    assert.equal(rs.rows[0].one, 1);
  });
});

describe("tenant SQL stays inside its file", () => {
  test("ATTACH is refused", async () => {
    const e = await rejection(client.execute("ATTACH DATABASE 'other.db' AS other"), "ATTACH");
    assertLibsqlError(e);
  });

  test("load_extension is refused", async () => {
    const e = await rejection(client.execute("SELECT load_extension('/usr/lib/x86_64-linux-gnu/libc.so.6')"),
      "load_extension");
    assertLibsqlError(e);
  });

  test("VACUUM INTO a path is refused", async () => {
    const e = await rejection(client.execute("VACUUM INTO '/tmp/e2e-escape.db'"), "VACUUM INTO");
    assertLibsqlError(e);
  });

  test("durability pragmas cannot be changed", async () => {
    const e = await rejection(client.execute("PRAGMA synchronous = OFF"), "PRAGMA synchronous = OFF");
    assertLibsqlError(e);
  });
});

describe("tokens and isolation", () => {
  test("a read-only token reads but cannot write", async () => {
    const ro = track(sqlClient(await mintToken(A.name, { readOnly: true })));
    const rs = await ro.execute("SELECT count(*) AS n FROM people");
    assert.equal(rs.rows[0].n, 2);
    const e = await rejection(ro.execute({ sql: "INSERT INTO people (name) VALUES (?)", args: ["intruder"] }),
      "write with a read-only token");
    assertLibsqlError(e);
    const e2 = await rejection(ro.batch([{ sql: "DELETE FROM people", args: [] }], "write"),
      "write batch with a read-only token");
    assertLibsqlError(e2);
    const tx = await rejection(
      (async () => {
        const t = await ro.transaction("write");
        try {
          await t.execute("DELETE FROM people");
          await t.commit();
        } finally {
          t.close();
        }
      })(), "write transaction with a read-only token");
    assertLibsqlError(tx);
    const after = await client.execute("SELECT count(*) AS n FROM people");
    assert.equal(after.rows[0].n, 2);
  });

  test("database A's token never sees database B's tables", async () => {
    const bClient = track(sqlClient(B.token));
    await bClient.execute("CREATE TABLE only_in_b (secret TEXT)");
    await bClient.execute({ sql: "INSERT INTO only_in_b VALUES (?)", args: ["b-secret"] });
    const e = await rejection(client.execute("SELECT * FROM only_in_b"), "A reading B's table");
    assertLibsqlError(e);
    const tablesA = await client.execute("SELECT name FROM sqlite_master WHERE type = 'table'");
    assert.ok(!tablesA.rows.some((r) => r.name === "only_in_b"), "A must not list B's tables");
    const tablesB = (await bClient.execute("SELECT name FROM sqlite_master WHERE type = 'table'")).rows.map((r) => r.name);
    assert.ok(tablesB.includes("only_in_b"), JSON.stringify(tablesB));
    for (const aTable of ["vals", "people", "ledger", "big"]) {
      assert.ok(!tablesB.includes(aTable), `B lists A's table ${aTable}: ${JSON.stringify(tablesB)}`);
    }
  });

  test("a garbage token is refused with UNAUTHORIZED", async () => {
    for (const bad of ["garbage", "a.b.c", "eyJhbGciOiJub25lIn0.eyJpZCI6IngifQ."]) {
      const c = track(sqlClient(bad));
      const e = await rejection(c.execute("SELECT 1"), `token ${bad}`);
      assertLibsqlError(e, /^UNAUTHORIZED$/);
    }
  });

  test("a missing token is refused with UNAUTHORIZED", async () => {
    const c = track(sqlClient(undefined));
    const e = await rejection(c.execute("SELECT 1"), "no token");
    assertLibsqlError(e, /^UNAUTHORIZED$/);
  });

  test("a token whose id claim was changed to another database is refused", async () => {
    const [h, p, s] = A.token.split(".");
    const payload = JSON.parse(Buffer.from(p, "base64url").toString("utf8"));
    const bPayload = JSON.parse(Buffer.from(B.token.split(".")[1], "base64url").toString("utf8"));
    assert.equal(payload.id, A.db.DbId, "the token's id claim is the database id");
    assert.equal(bPayload.id, B.db.DbId);
    payload.id = B.db.DbId;
    const tampered = [h, Buffer.from(JSON.stringify(payload)).toString("base64url"), s].join(".");
    const e = await rejection(track(sqlClient(tampered)).execute("SELECT 1"), "tampered id claim");
    assertLibsqlError(e, /^UNAUTHORIZED$/);
    // B's claims under A's header and signature: signed by another database's key
    const spliced = [h, B.token.split(".")[1], s].join(".");
    const e2 = await rejection(track(sqlClient(spliced)).execute("SELECT 1"), "B's claims with A's signature");
    assertLibsqlError(e2, /^UNAUTHORIZED$/);
    // read-only upgraded to read-write by editing the claim
    const ro = await mintToken(A.name, { readOnly: true });
    const [rh, rp, rs] = ro.split(".");
    const roPayload = JSON.parse(Buffer.from(rp, "base64url").toString("utf8"));
    assert.equal(roPayload.a, "ro");
    roPayload.a = "rw";
    const upgraded = [rh, Buffer.from(JSON.stringify(roPayload)).toString("base64url"), rs].join(".");
    const e3 = await rejection(track(sqlClient(upgraded)).execute("SELECT 1"), "ro token edited to rw");
    assertLibsqlError(e3, /^UNAUTHORIZED$/);
  });

  test("an expired token is refused", async () => {
    const short = await mintToken(A.name, { expiration: "1s" });
    const payload = JSON.parse(Buffer.from(short.split(".")[1], "base64url").toString("utf8"));
    assert.equal(typeof payload.exp, "number", "a token minted with expiration carries exp");
    const waitMs = payload.exp * 1000 - Date.now() + 1500;
    if (waitMs > 0) await new Promise((r) => setTimeout(r, waitMs));
    const e = await rejection(track(sqlClient(short)).execute("SELECT 1"), "expired token");
    assertLibsqlError(e, /^UNAUTHORIZED$/);
  });

  test("a freshly created database is reachable only with its own token", async () => {
    // B's token keeps working and sees only B
    await waitUntilReady(B.name, B.token);
    const rs = await track(sqlClient(B.token)).execute("SELECT count(*) AS n FROM sqlite_master WHERE name = 'people'");
    assert.equal(rs.rows[0].n, 0);
  });
});

describe("routing and the wire format", () => {
  const port = new URL(WORKER_URL).port;

  test("Hrana v2 answers with typed values and exactly application/json", async () => {
    const r = await rawPipeline({ token: A.token,
      requests: [{ type: "execute", stmt: { sql: "SELECT 1 AS one, 'x' AS s" } }, { type: "close" }] });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.results.length, 2);
    const result = r.body.results[0].response.result;
    assert.deepEqual(result.rows[0][0], { type: "integer", value: "1" });
    assert.deepEqual(result.rows[0][1], { type: "text", value: "x" });
    assert.equal(typeof result.affected_row_count, "number");
    assert.equal(r.body.results[1].response.type, "close");
  });

  test("the Host label selects the database; the token must be for it", async () => {
    const own = await rawPipeline({ token: A.token, host: `${A.db.Hostname}:${port}` });
    assert.equal(own.status, 200, `A's token at A's hostname: ${JSON.stringify(own.body)}`);
    const cross = await rawPipeline({ token: A.token, host: `${B.db.Hostname}:${port}` });
    assert.equal(cross.status, 401, `A's token at B's hostname must be refused: ${JSON.stringify(cross.body)}`);
    assert.equal(cross.contentType, "application/json");
    assert.equal(cross.body.code, "UNAUTHORIZED");
    assert.equal(typeof cross.body.message, "string");
    const bOwn = await rawPipeline({ token: B.token, host: `${B.db.Hostname}:${port}` });
    assert.equal(bOwn.status, 200, `B's token at B's hostname: ${JSON.stringify(bOwn.body)}`);
  });

  test("401 without a token, with exactly application/json", async () => {
    const r = await rawPipeline({});
    assert.equal(r.status, 401);
    assert.equal(r.contentType, "application/json");
    assert.equal(r.body.code, "UNAUTHORIZED");
  });

  test("Hrana v3 pipeline is served too", async () => {
    const res = await fetch(`${WORKER_URL}/v3/pipeline`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${A.token}` },
      body: JSON.stringify({ baton: null, requests: [{ type: "execute", stmt: { sql: "SELECT 2" } }, { type: "close" }] }),
    });
    const body = await res.json();
    assert.equal(res.status, 200, JSON.stringify(body));
    assert.deepEqual(body.results[0].response.result.rows[0][0], { type: "integer", value: "2" });
  });

  test("health and version answer without a token", async () => {
    const health = await fetch(`${WORKER_URL}/health`);
    assert.equal(health.status, 200);
    const version = await fetch(`${WORKER_URL}/version`);
    assert.equal(version.status, 200);
  });
});

describe("lifecycle", () => {
  test("an interactive transaction idle past the stream timeout (10 s) is rolled back with STREAM_EXPIRED", async () => {
    await client.execute("CREATE TABLE idle_t (x INTEGER)");
    const tx = await client.transaction("write");
    try {
      await tx.execute("INSERT INTO idle_t VALUES (1)");
      await sleep(12_500);
      const e = await rejection(tx.execute("INSERT INTO idle_t VALUES (2)"), "statement on an expired stream");
      assertLibsqlError(e);
      assert.match(`${e.code} ${e.message}`, /STREAM_EXPIRED|expired/i);
    } finally {
      tx.close();
    }
    const rs = await client.execute("SELECT count(*) AS n FROM idle_t");
    assert.equal(rs.rows[0].n, 0, "the expired stream's transaction must have been rolled back");
    // and the writer is free again
    await client.execute("INSERT INTO idle_t VALUES (3)");
  });

  test("the legacy sqld HTTP API (POST /) answers", async () => {
    const res = await fetch(`${WORKER_URL}/`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${A.token}` },
      body: JSON.stringify({ statements: ["SELECT 1 AS one", { q: "SELECT ? AS two", params: [2] }] }),
    });
    const text = await res.text();
    assert.equal(res.status, 200, text);
    const body = JSON.parse(text);
    assert.ok(Array.isArray(body) && body.length === 2, text);
    assert.deepEqual(body[0].results.columns, ["one"]);
    assert.deepEqual(body[0].results.rows, [[1]]);
    assert.deepEqual(body[1].results.rows, [[2]]);
  });

  test("a deleted database is gone from the worker: its token no longer reaches anything", async () => {
    const doomed = await readyDatabase("e2e-doomed");
    const c = track(sqlClient(doomed.token));
    await c.execute("CREATE TABLE t (x)");
    const del = await api("DELETE", dbPath(doomed.name));
    assert.equal(del.status, 200, del.text);
    assert.equal(typeof del.body, "object");
    const deadline = Date.now() + 30_000;
    let lastError;
    while (Date.now() < deadline) {
      try {
        await c.execute("SELECT count(*) FROM t");
      } catch (e) {
        lastError = e;
        break;
      }
      await sleep(250);
    }
    assert.ok(lastError, "the worker still serves a deleted database 30 s after DELETE");
    assertLibsqlError(lastError);
  });
});

describe("key rotation", () => {
  test("rotating a database's keys refuses every earlier token; new tokens work", async () => {
    const db = await readyDatabase("e2e-rotate");
    const oldRo = await mintToken(db.name, { readOnly: true });
    const rotated = await api("POST", `${dbPath(db.name)}/auth/rotate`);
    assert.equal(rotated.status, 200, rotated.text);
    assert.ok(rotated.body !== null && typeof rotated.body === "object", `rotate must answer JSON: ${rotated.text}`);
    const fresh = await mintToken(db.name);
    await waitUntilReady(db.name, fresh, 30_000);
    for (const [label, old] of [["full-access", db.token], ["read-only", oldRo]]) {
      const c = track(sqlClient(old));
      const deadline = Date.now() + 30_000;
      let refused;
      while (!refused && Date.now() < deadline) {
        try {
          await c.execute("SELECT 1");
          await sleep(250);
        } catch (e) {
          refused = e;
        }
      }
      assert.ok(refused, `the ${label} token minted before rotate still works 30 s later`);
      assertLibsqlError(refused, /^UNAUTHORIZED$/);
    }
  });
});
