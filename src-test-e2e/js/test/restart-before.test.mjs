// Restart scenario, phase 1 (before the harness stops both processes): create databases, tokens and
// data, and leave what phase 2 must find in STATE_FILE.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { readyDatabase, mintToken, sqlClient } from "./lib.mjs";

const STATE_FILE = process.env.STATE_FILE;

test("create databases, tokens and data that must survive a restart", async () => {
  assert.ok(STATE_FILE, "STATE_FILE must be set by the harness");
  const [one, two] = await Promise.all([readyDatabase("e2e-keep-a"), readyDatabase("e2e-keep-b")]);
  const readOnly = await mintToken(one.name, { readOnly: true });
  const blob = Array.from({ length: 4096 }, (_, i) => (i * 7) & 0xff);

  const c1 = sqlClient(one.token);
  try {
    await c1.batch([
      "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL, data BLOB)",
      { sql: "INSERT INTO notes (body, data) VALUES (?, ?)", args: ["survives ✓", new Uint8Array(blob)] },
      "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 999) " +
        "INSERT INTO notes (body) SELECT 'n' || x FROM c",
    ], "write");
    // a committed interactive transaction just before the stop
    const tx = await c1.transaction("write");
    await tx.execute({ sql: "INSERT INTO notes (body) VALUES (?)", args: ["last-before-stop"] });
    await tx.commit();
    tx.close();
    const rs = await c1.execute("SELECT count(*) AS n FROM notes");
    assert.equal(rs.rows[0].n, 1001);
  } finally {
    c1.close();
  }
  const c2 = sqlClient(two.token);
  try {
    await c2.execute("CREATE TABLE other (v INTEGER)");
    await c2.execute({ sql: "INSERT INTO other VALUES (?)", args: [9007199254740993n] });
  } finally {
    c2.close();
  }

  writeFileSync(STATE_FILE, JSON.stringify({
    one: { name: one.name, id: one.db.DbId, hostname: one.db.Hostname, token: one.token, readOnly },
    two: { name: two.name, id: two.db.DbId, hostname: two.db.Hostname, token: two.token },
    blob,
  }));
});
