// Platform API: the official @tursodatabase/api 2.0.5 client, and bad input over plain fetch.
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createClient as createTursoClient } from "@tursodatabase/api";
import { createClient as createSqlClient } from "@libsql/client";
import {
  ADMIN_TOKEN, CONTROL_PLANE_URL, ORG, WORKER_URL, api, createDatabase, dbPath, mintToken, rejection,
  uniqueName, waitUntilReady,
} from "./lib.mjs";

const turso = createTursoClient({ org: ORG, token: ADMIN_TOKEN, baseUrl: `${CONTROL_PLANE_URL}/v1/` });

function assertErrorBody(r, status, what) {
  assert.equal(r.status, status, `${what}: expected ${status}, got ${r.status}: ${r.text}`);
  assert.ok(r.contentType && r.contentType.startsWith("application/json"),
    `${what}: error content type ${r.contentType}`);
  assert.equal(typeof r.body?.error, "string", `${what}: body must carry "error": ${r.text}`);
  assert.ok(r.body.error.length > 0);
  assert.equal(typeof r.body.code, "string", `${what}: body must carry "code": ${r.text}`);
}

describe("@tursodatabase/api", () => {
  let name;
  let created;

  before(async () => {
    name = uniqueName("e2e-api");
    created = await createDatabase(name);
  });

  test("databases.list() includes the database with its id and hostname", async () => {
    const list = await turso.databases.list();
    const found = list.find((d) => d.name === name);
    assert.ok(found, `list() lacks ${name}: ${JSON.stringify(list.map((d) => d.name))}`);
    assert.equal(found.id, created.DbId);
    assert.equal(found.hostname, created.Hostname);
    assert.equal(found.group, "default");
  });

  test("databases.get(name)", async () => {
    const db = await turso.databases.get(name);
    assert.equal(db.name, name);
    assert.equal(db.id, created.DbId);
    assert.equal(db.hostname, created.Hostname);
    assert.equal(db.hostname, `${name}-${ORG}.localhost`);
  });

  test("databases.createToken(name, read-only) mints a token the worker accepts for reads only", async () => {
    const { jwt } = await turso.databases.createToken(name, { authorization: "read-only" });
    assert.equal(typeof jwt, "string");
    const [header, payload] = jwt.split(".").slice(0, 2).map((p) => JSON.parse(Buffer.from(p, "base64url")));
    assert.equal(header.alg, "EdDSA");
    assert.equal(payload.a, "ro");
    assert.equal(payload.id, created.DbId);
    assert.equal(typeof payload.iat, "number");
    assert.equal(typeof payload.jti, "string");
    const full = await turso.databases.createToken(name);
    assert.equal(JSON.parse(Buffer.from(full.jwt.split(".")[1], "base64url")).a, "rw");
    await waitUntilReady(name, full.jwt);
    const ro = createSqlClient({ url: WORKER_URL, authToken: jwt });
    try {
      const rs = await ro.execute("SELECT 1 AS one");
      assert.equal(rs.rows[0].one, 1);
      await rejection(ro.execute("CREATE TABLE t (x)"), "CREATE TABLE with a read-only token");
    } finally {
      ro.close();
    }
  });

  test("databases.create() and delete() through the client", async () => {
    const other = uniqueName("e2e-api-c");
    const made = await turso.databases.create(other, { group: "default" });
    assert.equal(made.name, other);
    assert.equal(typeof made.id, "string");
    assert.equal(typeof made.hostname, "string");
    await turso.databases.delete(other);
    const r = await api("GET", dbPath(other));
    assert.equal(r.status, 404, `a deleted database is gone: ${r.text}`);
    // the name is free again at once
    const again = await turso.databases.create(other, { group: "default" });
    assert.equal(again.name, other);
    assert.notEqual(again.id, made.id);
    await turso.databases.delete(other);
  });

  test("locations.list()", async () => {
    const locations = await turso.locations.list();
    assert.ok(Array.isArray(locations) && locations.length >= 1, JSON.stringify(locations));
    assert.ok(locations.some((l) => l.code === "local"), JSON.stringify(locations));
    for (const l of locations) assert.equal(typeof l.description, "string");
  });

  test("groups.list() has the default group", async () => {
    const groups = await turso.groups.list();
    const def = groups.find((g) => g.name === "default");
    assert.ok(def, JSON.stringify(groups));
    assert.equal(def.primary, "local");
    assert.ok(def.locations.includes("local"));
  });

  test("apiTokens.create() mints a Platform API token that works until revoked", async () => {
    const name = uniqueName("e2e-apitoken");
    const created = await turso.apiTokens.create(name);
    assert.equal(created.name, name);
    assert.equal(typeof created.token, "string");
    const mine = createTursoClient({ org: ORG, token: created.token, baseUrl: `${CONTROL_PLANE_URL}/v1/` });
    const list = await mine.databases.list();
    assert.ok(Array.isArray(list));
    const tokens = await turso.apiTokens.list();
    assert.ok(tokens.some((t) => t.name === name), JSON.stringify(tokens));
    await turso.apiTokens.revoke(name);
    const e = await rejection(mine.databases.list(), "list with a revoked API token");
    assert.equal(e.status, 401);
  });

  test("errors surface as TursoClientError with the server's message", async () => {
    const e = await rejection(turso.databases.get(uniqueName("e2e-missing")), "get of an unknown database");
    assert.equal(e.status, 404);
    assert.ok(typeof e.message === "string" && e.message.length > 0);
  });
});

describe("bad input over plain fetch", () => {
  const create = (body, opts = {}) => api("POST", `/v1/organizations/${ORG}/databases`, { body, ...opts });

  test("an invalid database name is 400 {error, code}", async () => {
    for (const bad of ["Upper-Case", "has space", "under_score", "", "x".repeat(65), "dot.name"]) {
      const r = await create({ name: bad, group: "default" });
      assertErrorBody(r, 400, `name ${JSON.stringify(bad)}`);
    }
  });

  test("a duplicate name is 409", async () => {
    const name = uniqueName("e2e-dup");
    await createDatabase(name);
    const r = await create({ name, group: "default" });
    assertErrorBody(r, 409, "duplicate");
  });

  test("an unknown database is 404", async () => {
    const missing = uniqueName("e2e-nope");
    assertErrorBody(await api("GET", dbPath(missing)), 404, "GET unknown db");
    assertErrorBody(await api("POST", `${dbPath(missing)}/auth/tokens`), 404, "token for unknown db");
    assertErrorBody(await api("DELETE", dbPath(missing)), 404, "DELETE unknown db");
  });

  test("an unknown group is refused", async () => {
    const r = await create({ name: uniqueName("e2e-nogroup"), group: "no-such-group" });
    assert.ok(r.status === 400 || r.status === 404, `unknown group: ${r.status} ${r.text}`);
    assert.equal(typeof r.body?.error, "string");
  });

  test("a missing or garbage bearer is 401", async () => {
    const path = `/v1/organizations/${ORG}/databases`;
    assertErrorBody(await api("GET", path, { token: null }), 401, "no Authorization");
    assertErrorBody(await api("GET", path, { token: "garbage" }), 401, "garbage bearer");
    assertErrorBody(await api("GET", path, { token: `${ADMIN_TOKEN}x` }), 401, "admin token plus one char");
    // a database token is not a Platform API token
    const name = uniqueName("e2e-dbtok");
    await createDatabase(name);
    const dbToken = await mintToken(name);
    assertErrorBody(await api("GET", path, { token: dbToken }), 401, "database token on the Platform API");
    assertErrorBody(await api("POST", path, { token: "garbage", body: { name: uniqueName("e2e-x"), group: "default" } }),
      401, "create with a garbage bearer");
  });

  test("malformed JSON is 400", async () => {
    const r = await api("POST", `/v1/organizations/${ORG}/databases`, { rawBody: "{\"name\": \"broken\", " });
    assertErrorBody(r, 400, "malformed JSON");
    const r2 = await api("POST", `/v1/organizations/${ORG}/databases`, { rawBody: "[1, 2]" });
    assertErrorBody(r2, 400, "JSON array instead of object");
  });

  test("a JSON body sent as text/plain is accepted (as the official client sends it)", async () => {
    const name = uniqueName("e2e-plain");
    await createDatabase(name);
    const r = await api("POST", `${dbPath(name)}/auth/tokens`, {
      rawBody: JSON.stringify({ permissions: { read_attach: { databases: [] } } }),
      contentType: "text/plain;charset=UTF-8",
    });
    assert.equal(r.status, 200, r.text);
    assert.equal(typeof r.body.jwt, "string");
  });

  test("a bad token expiration is 400", async () => {
    const name = uniqueName("e2e-exp");
    await createDatabase(name);
    assertErrorBody(await api("POST", `${dbPath(name)}/auth/tokens?expiration=soon`), 400, "expiration=soon");
  });
});
