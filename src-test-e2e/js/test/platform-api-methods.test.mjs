// Every method of the unmodified @tursodatabase/api 2.0.5 client whose route the control plane implements
// (organizations, members, invites, locations, groups, databases, tokens, API tokens, usage), with the shapes it
// returns. locations.closest() is left out: it calls https://region.turso.io/ directly, whatever the baseUrl.
// Where the client has a known quirk (reference §5/§10) the test asserts what the real client returns against
// this server and says why.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createClient as createTursoClient } from "@tursodatabase/api";
import {
  ADMIN_TOKEN, CONTROL_PLANE_URL, ORG, WORKER_URL, api, api200, b64urlDecodeJson, rawPipeline, sleep, sqlClient,
  uniqueName, waitUntilReady,
} from "./lib.mjs";

const BASE_URL = `${CONTROL_PLANE_URL}/v1/`;
const turso = createTursoClient({ org: ORG, token: ADMIN_TOKEN, baseUrl: BASE_URL });

/** POST /v1/users (bootstrap admin only): a user with its first Platform API token. */
async function createUser(prefix) {
  const username = uniqueName(prefix);
  const email = `${username}@e2e.test`;
  const body = await api200("POST", "/v1/users", { body: { username, email } });
  assert.equal(body.user.username, username);
  assert.equal(typeof body.token, "string");
  return { username, email, token: body.token };
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

describe("organizations", () => {
  test("list() — the client reads .organizations from the bare array of GET /v1/organizations, so it is []", async () => {
    // reference §4.2/§10: the spec (and Turso) answer GET /v1/organizations with a bare array; npm 2.0.5 reads
    // `response.organizations ?? []`, so against a faithful server the client returns [] — as against Turso.
    assert.deepEqual(await turso.organizations.list(), []);
    const raw = await api("GET", "/v1/organizations");
    assert.equal(raw.status, 200);
    assert.ok(Array.isArray(raw.body), raw.text);
    const mine = raw.body.find((o) => o.slug === ORG);
    assert.ok(mine, raw.text);
    for (const key of ["name", "slug", "type", "overages", "blocked_reads", "blocked_writes"]) {
      assert.ok(key in mine, `organization lacks ${key}: ${raw.text}`);
    }
  });

  test("update({overages}) returns the organization; overages need a plan with overage prices", async () => {
    const off = await turso.organizations.update({ overages: false });
    assert.equal(off.slug, ORG);
    assert.equal(off.overages, false);
    assert.equal(typeof off.name, "string");
    assert.equal(typeof off.blocked_reads, "boolean");
    assert.equal(typeof off.blocked_writes, "boolean");
    // starter: usage past the quotas is blocked, there is nothing to bill
    const refused = await api("PATCH", `/v1/organizations/${ORG}`, { body: { overages: true } });
    assert.equal(refused.status, 402, refused.text);
    assert.equal(refused.body.code, "overages_not_available");
    // on a paid plan (the platform administrator changes it) the client switches them on
    await api200("POST", `/v1/organizations/${ORG}/subscription`, { body: { plan: "developer" } });
    try {
      const on = await turso.organizations.update({ overages: true });
      assert.equal(on.overages, true);
    } finally {
      await api200("POST", `/v1/organizations/${ORG}/subscription`, { body: { plan: "starter" } });
    }
    const got = await api200("GET", `/v1/organizations/${ORG}`);
    assert.equal(got.organization.overages, false); // starter has no overages: switched off with the plan
    assert.equal(got.organization.plan_id, "starter");
  });

  test("members(), addMember(), removeMember()", async () => {
    const bob = await createUser("e2e-m-bob");
    const before = await turso.organizations.members();
    const owner = before.find((m) => m.role === "owner");
    assert.ok(owner, JSON.stringify(before));
    assert.equal(typeof owner.username, "string");
    assert.equal(typeof owner.email, "string");
    assert.ok(!before.some((m) => m.username === bob.username));

    const added = await turso.organizations.addMember(bob.username, "admin");
    assert.deepEqual(added, { member: bob.username, role: "admin" });
    const withBob = await turso.organizations.members();
    assert.deepEqual(withBob.find((m) => m.username === bob.username),
      { username: bob.username, email: bob.email, role: "admin" });
    // bob's own token now reads the organization
    const asBob = createTursoClient({ org: ORG, token: bob.token, baseUrl: BASE_URL });
    assert.ok(Array.isArray(await asBob.databases.list()));

    const removed = await turso.organizations.removeMember(bob.username);
    assert.deepEqual(removed, { member: bob.username });
    assert.ok(!(await turso.organizations.members()).some((m) => m.username === bob.username));
    const e = await asBob.databases.list().then(() => null, (err) => err);
    assert.ok(e, "a removed member still lists databases");
    assert.equal(e.status, 403);
  });

  test("inviteUser(), listInvites(), accepting, deleteInvite()", async () => {
    const carol = await createUser("e2e-m-carol");
    const invited = await turso.organizations.inviteUser(carol.email, "member");
    assert.equal(invited.email, carol.email);
    assert.equal(invited.role, "member");
    assert.equal(invited.organization, ORG);

    const invites = await turso.organizations.listInvites();
    const invite = invites.find((i) => i.email === carol.email);
    assert.ok(invite, JSON.stringify(invites));
    assert.equal(typeof invite.id, "number");
    assert.equal(invite.role, "member");
    assert.match(invite.created_at, ISO);

    // our extension: the invited user sees the invite and accepts it
    const mine = await api200("GET", "/v1/invites", { token: carol.token });
    assert.ok(mine.invites.some((i) => i.id === invite.id && i.organization === ORG), JSON.stringify(mine));
    const accepted = await api200("POST", `/v1/invites/${invite.id}/accept`, { token: carol.token });
    assert.equal(accepted.member, carol.username);
    assert.equal(accepted.role, "member");
    assert.equal(accepted.organization, ORG);
    const members = await turso.organizations.members();
    assert.equal(members.find((m) => m.username === carol.username)?.role, "member", JSON.stringify(members));

    // an invite that is deleted before it is accepted
    const dave = await createUser("e2e-m-dave");
    await turso.organizations.inviteUser(dave.email, "admin");
    assert.ok((await turso.organizations.listInvites()).some((i) => i.email === dave.email));
    assert.equal(await turso.organizations.deleteInvite(dave.email), undefined);
    assert.ok(!(await turso.organizations.listInvites()).some((i) => i.email === dave.email));
    const gone = await api200("GET", "/v1/invites", { token: dave.token });
    assert.deepEqual(gone.invites, []);
  });

  test("invoices() is [] on the free starter plan", async () => {
    assert.deepEqual(await turso.organizations.invoices(), []);
  });

  test("delete() deletes the client's organization (a throwaway one)", async () => {
    const slug = uniqueName("e2e-org-del");
    const created = await api200("POST", "/v1/organizations", { body: { name: slug } });
    assert.equal(created.org.slug, slug);
    const db = uniqueName("e2e-org-del-db");
    await api200("POST", `/v1/organizations/${slug}/databases`, { body: { name: db, group: "default" } });
    const throwaway = createTursoClient({ org: slug, token: ADMIN_TOKEN, baseUrl: BASE_URL });
    assert.ok((await throwaway.databases.list()).some((d) => d.name === db));
    // typed Promise<void>; the server answers {} and the client passes the body through
    assert.deepEqual(await throwaway.organizations.delete(), {});
    assert.equal((await api("GET", `/v1/organizations/${slug}`)).status, 404);
    assert.equal((await api("GET", `/v1/organizations/${slug}/databases/${db}`)).status, 404);
  });
});

describe("locations", () => {
  test("list() converts {code: description} into [{code, description}]", async () => {
    const locations = await turso.locations.list();
    assert.deepEqual(locations.find((l) => l.code === "local"), { code: "local", description: "Local workers" });
  });
});

describe("groups", () => {
  // The starter plan allows one group, and the shared organization's is "default" (other tests use it). The group
  // methods therefore run in a throwaway organization whose empty default group is deleted first.
  const org = uniqueName("e2e-grp-org");
  const group = uniqueName("e2e-grp");
  let g;
  let dbInGroup;

  before(async () => {
    await api200("POST", "/v1/organizations", { body: { name: org } });
    await api200("DELETE", `/v1/organizations/${org}/groups/default`);
    g = createTursoClient({ org, token: ADMIN_TOKEN, baseUrl: BASE_URL });
  });

  after(async () => {
    await api("DELETE", `/v1/organizations/${org}`);
  });

  test("create(), get(), list()", async () => {
    const created = await g.groups.create(group, "local");
    assert.equal(created.name, group);
    assert.equal(created.primary, "local");
    assert.deepEqual(created.locations, ["local"]);
    assert.equal(typeof created.uuid, "string");
    const got = await g.groups.get(group);
    assert.deepEqual(got, created);
    const list = await g.groups.list();
    assert.deepEqual(list.find((x) => x.name === group), created);
    assert.ok(!list.some((x) => x.name === "default"));
  });

  test("addLocation() and removeLocation() with the only location", async () => {
    const addedTo = await g.groups.addLocation(group, "local");
    assert.equal(addedTo.name, group);
    assert.deepEqual(addedTo.locations, ["local"]);
    // the primary location cannot be removed: 400 {error}, surfaced as TursoClientError
    const e = await g.groups.removeLocation(group, "local").then(() => null, (err) => err);
    assert.ok(e, "removing the primary location succeeded");
    assert.equal(e.status, 400);
    const unknown = await g.groups.addLocation(group, "nowhere").then(() => null, (err) => err);
    assert.equal(unknown?.status, 400);
    assert.match(unknown.message, /invalid location: nowhere/);
  });

  test("createToken() mints a group token that opens the group's databases; rotateTokens() revokes it", async () => {
    dbInGroup = uniqueName("e2e-grp-db");
    const made = await g.databases.create(dbInGroup, { group });
    const { jwt } = await g.groups.createToken(group, { authorization: "read-only", expiration: "1h" });
    const claims = b64urlDecodeJson(jwt.split(".")[1]);
    assert.equal(claims.a, "ro");
    assert.equal(claims.gid, (await g.groups.get(group)).uuid);
    assert.equal(claims.id, undefined);
    assert.ok(claims.exp > Date.now() / 1000 + 3500 && claims.exp <= Date.now() / 1000 + 3601);
    const full = await g.groups.createToken(group);
    assert.equal(b64urlDecodeJson(full.jwt.split(".")[1]).a, "rw");
    assert.deepEqual(Object.keys(full), ["jwt"]);
    // a group token has no id: it is sent to the database's hostname (the Host header here)
    const host = `${made.hostname}:${new URL(WORKER_URL).port}`;
    let r;
    for (let i = 0; i < 30; i++) {
      r = await rawPipeline({ token: full.jwt, host });
      if (r.status === 200) break;
      await sleep(100);
    }
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.results[0].type, "ok");

    const rotated = await g.groups.rotateTokens(group);
    assert.deepEqual(rotated, {}); // typed Promise<void>; the body passes through
    for (let i = 0; i < 30; i++) {
      r = await rawPipeline({ token: full.jwt, host });
      if (r.status === 401) break;
      await sleep(100);
    }
    assert.equal(r.status, 401, `group token still accepted 3 s after rotateTokens(): ${JSON.stringify(r.body)}`);
  });

  test("delete() deletes the group and its databases", async () => {
    const deleted = await g.groups.delete(group);
    assert.equal(deleted.name, group);
    assert.equal((await api("GET", `/v1/organizations/${org}/groups/${group}`)).status, 404);
    assert.equal((await api("GET", `/v1/organizations/${org}/databases/${dbInGroup}`)).status, 404);
  });
});

describe("databases", () => {
  const name = uniqueName("e2e-dbm");
  let created;

  before(async () => {
    created = await turso.databases.create(name, { group: "default", size_limit: "256mb" });
  });

  test("create() returns {id, hostname, name}", () => {
    assert.deepEqual(Object.keys(created).sort(), ["hostname", "id", "name"]);
    assert.equal(created.name, name);
    assert.equal(created.hostname, `${name}-${ORG}.localhost`);
  });

  test("list(), list({group}) and get() map the database", async () => {
    const db = await turso.databases.get(name);
    assert.equal(db.id, created.id);
    assert.equal(db.name, name);
    assert.equal(db.hostname, created.hostname);
    assert.equal(db.group, "default");
    assert.equal(db.primaryRegion, "local");
    assert.deepEqual(db.regions, ["local"]);
    for (const key of ["sleeping", "archived", "allow_attach", "block_reads", "block_writes", "is_schema"]) {
      assert.equal(typeof db[key], "boolean", `${key}: ${JSON.stringify(db)}`);
    }
    assert.equal(db.allow_attach, false);
    assert.equal(typeof db.version, "string");
    assert.equal(typeof db.type, "string");
    assert.deepEqual((await turso.databases.list()).find((d) => d.name === name), db);
    assert.deepEqual((await turso.databases.list({ group: "default" })).find((d) => d.name === name), db);
    const none = await turso.databases.list({ group: uniqueName("e2e-no-group") }).then((l) => l, (e) => e);
    if (Array.isArray(none)) assert.ok(!none.some((d) => d.name === name));
    else assert.equal(none.status, 404);
  });

  test("updateVersion() answers {} (one server version)", async () => {
    assert.deepEqual(await turso.databases.updateVersion(name), {});
  });

  test("listInstances() and getInstance()", async () => {
    const instances = await turso.databases.listInstances(name);
    assert.equal(instances.length, 1, JSON.stringify(instances));
    const [primary] = instances;
    assert.equal(primary.type, "primary");
    assert.equal(primary.region, "local");
    assert.equal(typeof primary.uuid, "string");
    assert.equal(typeof primary.name, "string");
    assert.equal(typeof primary.hostname, "string");
    assert.deepEqual(await turso.databases.getInstance(name, primary.name), primary);
    const e = await turso.databases.getInstance(name, "no-such-instance").then(() => null, (err) => err);
    assert.equal(e?.status, 404);
  });

  test("createToken() with every option, rotateTokens() invalidates the earlier tokens", async () => {
    const ro = await turso.databases.createToken(name, { authorization: "read-only", expiration: "2w" });
    const c = b64urlDecodeJson(ro.jwt.split(".")[1]);
    assert.equal(c.a, "ro");
    assert.equal(c.id, created.id);
    assert.equal(c.exp - c.iat, 14 * 24 * 3600);
    const never = b64urlDecodeJson((await turso.databases.createToken(name, { expiration: "never" })).jwt.split(".")[1]);
    assert.equal(never.exp, undefined);
    const other = uniqueName("e2e-dbm-attach");
    const otherDb = await turso.databases.create(other, { group: "default" });
    const fine = await turso.databases.createToken(name, { permissions: { read_attach: { databases: [other] } } });
    const p = b64urlDecodeJson(fine.jwt.split(".")[1]).p;
    assert.deepEqual(p, { rw: { ns: [created.id] }, roa: { ns: [otherDb.id] } });
    await turso.databases.delete(other);

    const before = await turso.databases.createToken(name);
    await waitUntilReady(name, before.jwt);
    assert.deepEqual(await turso.databases.rotateTokens(name), {});
    const client = sqlClient(before.jwt);
    try {
      let refused = false;
      for (let i = 0; i < 30 && !refused; i++) {
        refused = await client.execute("SELECT 1").then(() => false, () => true);
        if (!refused) await sleep(100);
      }
      assert.ok(refused, "a token minted before rotateTokens() still works after 3 s");
    } finally {
      client.close();
    }
    const after = await turso.databases.createToken(name);
    await waitUntilReady(name, after.jwt);
  });

  test("usage() after SQL shows rows read, rows written and storage (after a heartbeat)", async () => {
    const { jwt } = await turso.databases.createToken(name);
    await waitUntilReady(name, jwt);
    const client = sqlClient(jwt);
    try {
      await client.execute("CREATE TABLE u (x INTEGER)");
      await client.execute("INSERT INTO u VALUES (1), (2), (3)");
      const rs = await client.execute("SELECT x FROM u");
      assert.equal(rs.rows.length, 3);
    } finally {
      client.close();
    }
    let usage;
    const deadline = Date.now() + 8_000;
    do {
      usage = await turso.databases.usage(name);
      if (usage.usage.rows_read >= 3 && usage.usage.rows_written >= 3 && usage.usage.storage_bytes > 0) break;
      await sleep(250);
    } while (Date.now() < deadline);
    assert.equal(usage.uuid, created.id);
    assert.ok(usage.usage.rows_read >= 3, `rows_read: ${JSON.stringify(usage)}`);
    assert.ok(usage.usage.rows_written >= 3, `rows_written: ${JSON.stringify(usage)}`);
    assert.ok(usage.usage.storage_bytes > 0, `storage_bytes: ${JSON.stringify(usage)}`);
    assert.equal(usage.instances.length, 1);
    assert.equal(typeof usage.instances[0].uuid, "string");
    assert.deepEqual(usage.instances[0].usage, usage.usage);
    // with an explicit window (this month) the same numbers; a window in the past is empty
    const now = new Date();
    const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
    const windowed = await turso.databases.usage(name, { from, to: new Date(Date.now() + 3600_000) });
    assert.ok(windowed.usage.rows_written >= 3, JSON.stringify(windowed));
    const past = await turso.databases.usage(name, { from: "2020-01-01T00:00:00Z", to: "2020-02-01T00:00:00Z" });
    assert.equal(past.usage.rows_read, 0, JSON.stringify(past));
    assert.equal(past.usage.rows_written, 0, JSON.stringify(past));
  });

  test("delete() returns {database: name}", async () => {
    assert.deepEqual(await turso.databases.delete(name), { database: name });
    const e = await turso.databases.get(name).then(() => null, (err) => err);
    assert.equal(e?.status, 404);
  });
});

describe("apiTokens", () => {
  test("create(), list(), validate(), revoke()", async () => {
    const name = uniqueName("e2e-apitok");
    const created = await turso.apiTokens.create(name);
    assert.equal(created.name, name);
    assert.equal(typeof created.id, "string");
    assert.equal(typeof created.token, "string");
    const listed = (await turso.apiTokens.list()).find((t) => t.name === name);
    assert.equal(listed?.id, created.id);
    assert.equal(listed.token, undefined, "list() must never show a token's value");

    // validate(token) sends the CLIENT's own token, not its argument (header-merge bug in 2.0.5), and computes
    // valid = exp !== -1 && exp > now: a never-expiring token (exp -1) is reported {valid: false, expiry: -1}.
    assert.deepEqual(await turso.apiTokens.validate(created.token), { valid: false, expiry: -1 });
    assert.deepEqual(await turso.apiTokens.validate("not-even-a-token"), { valid: false, expiry: -1 });
    const mine = createTursoClient({ org: ORG, token: created.token, baseUrl: BASE_URL });
    assert.deepEqual(await mine.apiTokens.validate("ignored"), { valid: false, expiry: -1 });
    const raw = await api200("GET", "/v1/auth/api-tokens/validate", { token: created.token });
    assert.deepEqual(raw, { exp: -1 });

    assert.deepEqual(await turso.apiTokens.revoke(name), { token: name });
    assert.ok(!(await turso.apiTokens.list()).some((t) => t.name === name));
    const e = await mine.apiTokens.validate("x").then(() => null, (err) => err);
    assert.equal(e?.status, 401);
  });
});
