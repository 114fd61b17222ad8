// The npm libsql engine's own vector index on the data of bench scenario 5 (VectorScenario.java):
//   node libsql-peer.mjs <data.f32> <db file>
// data.f32: int32 LE rows, dims, queries, batch; then rows + queries float32 LE vectors.
// Prints "insert <rows/s without index> <rows/s with index>", "latency <p50 ms> <p99 ms>" and one
// "result <ids...>" line per query (the top 10 of vector_top_k, in order).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const Database = require("libsql");

const [file, dbFile] = process.argv.slice(2);
const buf = readFileSync(file);
const [rows, dims, queries, batch] = [0, 4, 8, 12].map((o) => buf.readInt32LE(o));
const vec = (i) => buf.subarray(16 + i * dims * 4, 16 + (i + 1) * dims * 4);

const db = new Database(dbFile);
db.exec(`CREATE TABLE plain (id INTEGER PRIMARY KEY, emb F32_BLOB(${dims}))`);
db.exec(`CREATE TABLE docs (id INTEGER PRIMARY KEY, emb F32_BLOB(${dims}))`);
db.exec("CREATE INDEX docs_idx ON docs (libsql_vector_idx(emb, 'metric=cosine'))");

// the two tables are filled batch by batch in turn, so warm-up and file growth weigh on both alike
const insertInto = Object.fromEntries(["plain", "docs"].map((t) => [t, db.prepare(`INSERT INTO ${t} (id, emb) VALUES (?, ?)`)]));
const spent = { plain: 0n, docs: 0n };
for (let start = 0; start < rows; start += batch) {
  for (const table of ["plain", "docs"]) {
    const t0 = process.hrtime.bigint();
    db.exec("BEGIN");
    for (let i = start; i < Math.min(rows, start + batch); i++) insertInto[table].run([i + 1, vec(i)]);
    db.exec("COMMIT");
    spent[table] += process.hrtime.bigint() - t0;
  }
}
console.log(`insert ${rows / (Number(spent.plain) / 1e9)} ${rows / (Number(spent.docs) / 1e9)}`);

const query = db.prepare("SELECT id FROM vector_top_k('docs_idx', ?, 10)").raw();
const nanos = [];
const results = [];
for (let q = 0; q < queries; q++) {
  const t0 = process.hrtime.bigint();
  const ids = query.all([vec(rows + q)]).map((r) => r[0]);
  nanos.push(Number(process.hrtime.bigint() - t0));
  results.push(ids);
}
nanos.sort((a, b) => a - b);
const pct = (p) => nanos[Math.min(nanos.length - 1, Math.floor((p / 100) * nanos.length))] / 1e6;
console.log(`latency ${pct(50)} ${pct(99)}`);
for (const ids of results) console.log(`result ${ids.join(" ")}`);
db.close();
