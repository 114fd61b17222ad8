// Differential test: libSQL's own SQL (vector functions, vector index, vector_top_k, ALTER COLUMN, RANDOM ROWID) on the platform through the
// official @libsql/client, and on the real libSQL engine (npm `libsql` 0.5.29, a local file). Every result row
// and every error message must be libSQL's, except the documented KNOWN_DIFFERENCES (libsql-sql-cases.mjs).
import { before, after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";
import { readyDatabase, sqlClient } from "./lib.mjs";
import {
  scripts, KNOWN_DIFFERENCES, PLATFORM_ONLY_SETUP, PLATFORM_ONLY_ROWS, PLATFORM_ONLY_ERRORS, maskFloat8Padding,
} from "./libsql-sql-cases.mjs";

const Database = createRequire(import.meta.url)("libsql");

let db; // {name, token}
let client;
let dir;

before(async () => {
  db = await readyDatabase("e2e-libsql-sql");
  client = sqlClient(db.token);
  dir = mkdtempSync(join(tmpdir(), "libsql-oracle-"));
});

after(() => {
  client?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function value(v) {
  if (v === null || v === undefined) return null;
  if (v instanceof ArrayBuffer) v = Buffer.from(v);
  if (ArrayBuffer.isView(v)) return { hex: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("hex").toUpperCase() };
  if (typeof v === "bigint") return Number(v);
  return maskFloat8Padding(v);
}

/** The oracle: the statements on a fresh libSQL database file. */
function onLibsql(name, stmts) {
  const file = join(dir, `${name}.db`);
  const oracle = new Database(file);
  try {
    return stmts.map((sql) => {
      try {
        const s = oracle.prepare(sql);
        if (s.reader) return { rows: s.raw().all().map((r) => r.map(value)) };
        s.run();
        return { rows: [] };
      } catch (e) {
        return { error: e.message };
      }
    });
  } finally {
    oracle.close();
  }
}

/** The platform: the same statements, one request each, on a database emptied first. */
async function onPlatform(stmts) {
  const objects = await client.execute(
    "SELECT type, name FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' AND type IN ('table', 'view')");
  for (const row of objects.rows) {
    await client.execute(`DROP ${row.type === "view" ? "VIEW" : "TABLE"} IF EXISTS "${String(row.name).replaceAll('"', '""')}"`);
  }
  const out = [];
  for (const sql of stmts) {
    try {
      const rs = await client.execute(sql);
      out.push({ rows: rs.rows.map((r) => Array.from({ length: rs.columns.length }, (_, i) => value(r[i]))) });
    } catch (e) {
      out.push({ error: e.message });
    }
  }
  return out;
}

/** The platform's message must carry libSQL's message unchanged (the client prefixes the error code). */
function same(platform, expected, what) {
  if (expected.error !== undefined) {
    assert.ok(platform.error !== undefined, `${what}: libSQL fails with "${expected.error}", the platform answered ${JSON.stringify(platform)}`);
    assert.ok(platform.error.includes(expected.error), `${what}: libSQL says "${expected.error}", the platform "${platform.error}"`);
  } else {
    assert.deepEqual(platform, expected, what);
  }
}

describe("libSQL SQL on the platform, compared with the libSQL engine", () => {
  for (const [name, stmts] of Object.entries(scripts())) {
    test(name, async () => {
      const oracle = onLibsql(name, stmts);
      const platform = await onPlatform(stmts);
      const known = KNOWN_DIFFERENCES[name] ?? {};
      stmts.forEach((sql, i) => {
        const expected = sql in known ? known[sql] : oracle[i];
        if (sql in known) {
          assert.notDeepEqual(oracle[i], known[sql], `${name}: "${sql}" is listed as a difference but libSQL agrees now`);
        }
        same(platform[i], expected, `${name}: ${sql.length > 200 ? sql.slice(0, 200) + "…" : sql}`);
      });
    });
  }

  test("inputs that break libSQL itself are clean errors on the platform", async () => {
    const results = await onPlatform([...PLATFORM_ONLY_SETUP, ...Object.keys(PLATFORM_ONLY_ROWS), ...Object.keys(PLATFORM_ONLY_ERRORS)]);
    const rest = results.slice(PLATFORM_ONLY_SETUP.length);
    Object.entries(PLATFORM_ONLY_ROWS).forEach(([sql, rows], i) => same(rest[i], { rows }, sql));
    const errors = rest.slice(Object.keys(PLATFORM_ONLY_ROWS).length);
    Object.entries(PLATFORM_ONLY_ERRORS).forEach(([sql, error], i) => same(errors[i], { error }, sql));
    // and the database still answers
    same((await onPlatform(["SELECT vector_extract(vector('[1,2]'))"]))[0], { rows: [["[1,2]"]] }, "after");
  });
});
