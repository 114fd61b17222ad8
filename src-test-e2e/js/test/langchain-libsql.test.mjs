// LangChain's LibSQLVectorStore (npm @langchain/community 1.1.29, unmodified) through the official @libsql/client
// against a database on the platform: the table and vector index as LangChain's documentation creates them, then
// add documents, similarity search, filtered search, delete. Embeddings are synthetic and deterministic (a hashed
// bag of words), so the expected neighbours are known.
import { before, after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { Embeddings } from "@langchain/core/embeddings";
import { Document } from "@langchain/core/documents";
import { LibSQLVectorStore } from "@langchain/community/vectorstores/libsql";
import { readyDatabase, sqlClient } from "./lib.mjs";

const DIMS = 32;

/** Each word adds 1 to one of DIMS buckets (FNV-1a hash); the vector is normalised. */
class BagOfWords extends Embeddings {
  constructor() {
    super({});
  }

  embed(text) {
    const v = new Array(DIMS).fill(0);
    for (const word of text.toLowerCase().match(/[a-z]+/g) ?? []) {
      let h = 2166136261;
      for (const ch of word) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
      v[h % DIMS] += 1;
    }
    const norm = Math.hypot(...v) || 1;
    return v.map((x) => x / norm);
  }

  async embedDocuments(texts) {
    return texts.map((t) => this.embed(t));
  }

  async embedQuery(text) {
    return this.embed(text);
  }
}

const DOCS = [
  new Document({ pageContent: "the cat sat on the mat", metadata: { topic: "pets", year: 2021 } }),
  new Document({ pageContent: "a cat chased a mouse around the house", metadata: { topic: "pets", year: 2023 } }),
  new Document({ pageContent: "stock markets fell sharply on monday", metadata: { topic: "finance", year: 2023 } }),
  new Document({ pageContent: "bond yields and stock prices moved together", metadata: { topic: "finance", year: 2022 } }),
  new Document({ pageContent: "the dog barked at the cat", metadata: { topic: "pets", year: 2022 } }),
  new Document({ pageContent: "rain and wind expected for the weekend", metadata: { topic: "weather", year: 2023 } }),
];

const EMBED = new BagOfWords();

function cosineDistance(a, b) {
  const x = EMBED.embed(a);
  const y = EMBED.embed(b);
  return 1 - x.reduce((sum, v, i) => sum + v * y[i], 0) / (Math.hypot(...x) * Math.hypot(...y));
}

/** The k nearest documents by exact cosine distance (ties by insertion order, as rowids): the expected answer. */
function nearest(query, docs, k) {
  return docs.map((d, i) => ({ d, i, dist: cosineDistance(query, d.pageContent) }))
    .sort((a, b) => a.dist - b.dist || DOCS.indexOf(a.d) - DOCS.indexOf(b.d))
    .slice(0, k).map(({ d }) => d.pageContent);
}

let db;
let client;
let store;
let ids;

before(async () => {
  db = await readyDatabase("e2e-langchain");
  client = sqlClient(db.token);
  // as LangChain's LibSQL guide creates them
  await client.batch([
    `CREATE TABLE IF NOT EXISTS vectors (content TEXT, metadata TEXT, embedding F32_BLOB(${DIMS}))`,
    "CREATE INDEX IF NOT EXISTS idx_vectors_embedding ON vectors (libsql_vector_idx(embedding))",
  ], "write");
  store = new LibSQLVectorStore(new BagOfWords(), { db: client, table: "vectors", column: "embedding" });
});

after(() => client?.close());

describe("LangChain LibSQLVectorStore on the platform", () => {
  test("addDocuments stores every document and returns their ids", async () => {
    ids = await store.addDocuments(DOCS);
    assert.equal(ids.length, DOCS.length);
    assert.deepEqual(ids, ["1", "2", "3", "4", "5", "6"]);
    const rs = await client.execute("SELECT count(*) AS n, count(embedding) AS e FROM vectors");
    assert.equal(rs.rows[0].n, DOCS.length);
    assert.equal(rs.rows[0].e, DOCS.length);
  });

  test("similaritySearch ranks the nearest documents first", async () => {
    const hits = await store.similaritySearch("cat on a mat", 3);
    assert.deepEqual(hits.map((d) => d.pageContent), nearest("cat on a mat", DOCS, 3));
    assert.deepEqual(hits[0].metadata, DOCS.find((d) => d.pageContent === hits[0].pageContent).metadata);
    const scored = await store.similaritySearchWithScore("stock prices", 3);
    assert.deepEqual(scored.map(([d]) => d.pageContent), nearest("stock prices", DOCS, 3));
    const distances = scored.map(([, d]) => d);
    assert.deepEqual([...distances].sort((a, b) => a - b), distances, "ordered by cosine distance");
    assert.ok(Math.abs(distances[0] - cosineDistance("stock prices", scored[0][0].pageContent)) < 1e-5);
  });

  test("filtered search keeps only matching metadata", async () => {
    const finance = await store.similaritySearch("cat", 6, { topic: { operator: "=", value: "finance" } });
    assert.deepEqual(finance.map((d) => d.pageContent), nearest("cat", DOCS.filter((d) => d.metadata.topic === "finance"), 6));
    const recent = await store.similaritySearch("cat", 6, { year: { operator: ">=", value: 2023 } });
    assert.deepEqual(recent.map((d) => d.pageContent), nearest("cat", DOCS.filter((d) => d.metadata.year >= 2023), 6));
    const either = await store.similaritySearch("cat", 6, { topic: { operator: "IN", value: ["weather", "finance"] } });
    assert.equal(either.length, 3);
    const raw = await store.similaritySearch("cat", 6, "json_extract(metadata, '$.topic') = 'weather'");
    assert.deepEqual(raw.map((d) => d.pageContent), ["rain and wind expected for the weekend"]);
  });

  test("delete removes documents from search results", async () => {
    const first = (await store.similaritySearch("cat on a mat", 1))[0];
    const id = ids[DOCS.findIndex((d) => d.pageContent === first.pageContent)];
    await store.delete({ ids: [id] });
    const after = await store.similaritySearch("cat on a mat", 6);
    assert.deepEqual(after.map((d) => d.pageContent), nearest("cat on a mat", DOCS.filter((d) => d !== DOCS[Number(id) - 1]), 6));
    await store.delete({ deleteAll: true });
    assert.deepEqual(await store.similaritySearch("cat", 3), []);
  });
});
