// Shared helpers for the end-to-end scenarios. The JUnit harness (src-test-e2e/src/test/java) starts the
// real control plane and worker and passes their addresses in the environment:
//   CONTROL_PLANE_URL  e.g. http://127.0.0.1:41234   (Platform API)
//   WORKER_URL         e.g. http://127.0.0.1:41235   (Hrana / SQL over HTTP)
//   ADMIN_TOKEN        the administrator's Platform API token (PLATFORM_ADMIN_TOKEN of the control plane)
//   ORG                organization slug (default "default")
//   SQL_URL_SCHEME     "ws" runs the official SQL client over Hrana-over-WebSocket (ws://...); default: HTTP
//   STATE_FILE         (restart scenario only) where phase "before" leaves what phase "after" checks
import http from "node:http";
import { randomBytes } from "node:crypto";
import { createClient } from "@libsql/client";

function required(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`environment variable ${name} is not set; these tests are started by the JUnit harness ` +
      `(mvn verify -pl src-test-e2e), see README.md#testing`);
  }
  return value;
}

// Every HTTP call of the scenarios (ours and the official clients' calls through the global fetch) gets a
// deadline, so that a request the server never answers fails with its method and URL instead of hanging.
const REQUEST_TIMEOUT_MS = Number(process.env.E2E_REQUEST_TIMEOUT_MS || 30_000);
const originalFetch = globalThis.fetch;
if (!originalFetch.e2eWrapped) {
  const wrapped = async (input, init = {}) => {
    const signal = init.signal ?? AbortSignal.timeout(REQUEST_TIMEOUT_MS);
    try {
      return await originalFetch(input, { ...init, signal });
    } catch (e) {
      if (e?.name === "TimeoutError" || e?.name === "AbortError") {
        const method = init.method ?? input?.method ?? "GET";
        const url = typeof input === "string" ? input : input?.url ?? String(input);
        throw new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms: ${method} ${url}`, { cause: e });
      }
      throw e;
    }
  };
  wrapped.e2eWrapped = true;
  globalThis.fetch = wrapped;
}

export const CONTROL_PLANE_URL = required("CONTROL_PLANE_URL").replace(/\/+$/, "");
export const WORKER_URL = required("WORKER_URL").replace(/\/+$/, "");
export const ADMIN_TOKEN = required("ADMIN_TOKEN");
/** The URL the official SQL client is given: the worker's http:// URL, or the same address as ws://. */
export const SQL_URL = process.env.SQL_URL_SCHEME === "ws" ? WORKER_URL.replace(/^http/, "ws") : WORKER_URL;
export const ORG = process.env.ORG || "default";

/** A database name that is unique per run: lowercase letters, digits, dashes. */
export function uniqueName(prefix) {
  return `${prefix}-${randomBytes(4).toString("hex")}`;
}

/**
 * Calls the Platform API with fetch. Returns {status, contentType, body (parsed JSON or null), text}.
 * `token` defaults to the admin token; pass null to send no Authorization header.
 */
export async function api(method, path, { body, token = ADMIN_TOKEN, rawBody, contentType } = {}) {
  const headers = {};
  if (token !== null) headers.authorization = `Bearer ${token}`;
  let payload;
  if (rawBody !== undefined) {
    payload = rawBody;
    headers["content-type"] = contentType ?? "application/json";
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    headers["content-type"] = contentType ?? "application/json";
  }
  const response = await fetch(`${CONTROL_PLANE_URL}${path}`, { method, headers, body: payload });
  const text = await response.text();
  let json = null;
  try {
    json = text === "" ? null : JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: response.status, contentType: response.headers.get("content-type"), body: json, text };
}

/** Like api() but fails with a readable message unless the status is 200. */
export async function api200(method, path, options) {
  const r = await api(method, path, options);
  if (r.status !== 200) {
    throw new Error(`${method} ${path} answered ${r.status} (expected 200): ${r.text}`);
  }
  if (r.body === null || typeof r.body !== "object") {
    throw new Error(`${method} ${path} answered 200 without a JSON object body: ${JSON.stringify(r.text)}`);
  }
  return r.body;
}

export const dbPath = (name) => `/v1/organizations/${ORG}/databases/${name}`;

/** Creates a database in the default group; returns {DbId, Hostname, Name}. */
export async function createDatabase(name) {
  const body = await api200("POST", `/v1/organizations/${ORG}/databases`, { body: { name, group: "default" } });
  const db = body.database;
  if (!db || !db.DbId || !db.Hostname || db.Name !== name) {
    throw new Error(`create ${name}: unexpected body ${JSON.stringify(body)}`);
  }
  return db;
}

/** Mints a database token over REST; returns the JWT. */
export async function mintToken(name, { readOnly = false, expiration } = {}) {
  const query = new URLSearchParams();
  if (readOnly) query.set("authorization", "read-only");
  if (expiration) query.set("expiration", expiration);
  const qs = query.toString() ? `?${query}` : "";
  const body = await api200("POST", `${dbPath(name)}/auth/tokens${qs}`);
  if (typeof body.jwt !== "string" || body.jwt.split(".").length !== 3) {
    throw new Error(`token for ${name}: unexpected body ${JSON.stringify(body)}`);
  }
  return body.jwt;
}

export function sqlClient(authToken, options = {}) {
  return createClient({ url: SQL_URL, authToken, ...options });
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits until the database is usable: its metadata says ready (when the API reports a state) and the
 * worker answers SQL with the given token. Creation is asynchronous by contract (provisioning → ready).
 */
export async function waitUntilReady(name, token, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    const r = await api("GET", dbPath(name));
    if (r.status === 200) {
      const state = r.body?.database?.state;
      if (state === undefined || state === "ready") {
        const client = sqlClient(token);
        try {
          await client.execute("SELECT 1");
          return;
        } catch (e) {
          last = `SQL: ${e.code ?? ""} ${e.message}`;
        } finally {
          client.close();
        }
      } else {
        last = `state ${state}`;
      }
    } else {
      last = `GET ${dbPath(name)} → ${r.status} ${r.text}`;
    }
    await sleep(250);
  }
  throw new Error(`database ${name} not ready after ${timeoutMs} ms; last: ${last}`);
}

/** Creates a database, mints a full-access token and waits until SQL works. */
export async function readyDatabase(prefix) {
  const name = uniqueName(prefix);
  const db = await createDatabase(name);
  const token = await mintToken(name);
  await waitUntilReady(name, token);
  return { name, db, token };
}

export function b64urlDecodeJson(part) {
  return JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
}

export function b64urlEncodeJson(value) {
  return Buffer.from(JSON.stringify(value), "utf8").toString("base64url");
}

/**
 * Sends one raw Hrana v2 pipeline request with node:http, so that the Host header can be chosen
 * (fetch does not let a caller set Host). Returns {status, contentType, body}.
 */
export function rawPipeline({ token, host, requests = [{ type: "execute", stmt: { sql: "SELECT 1" } }, { type: "close" }] }) {
  const url = new URL(`${WORKER_URL}/v2/pipeline`);
  const payload = Buffer.from(JSON.stringify({ baton: null, requests }), "utf8");
  const headers = { "content-type": "application/json", "content-length": payload.length };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  if (host !== undefined) headers.host = host;
  return new Promise((resolve, reject) => {
    const req = http.request({ hostname: url.hostname, port: url.port, path: url.pathname, method: "POST", headers }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let body = null;
        try {
          body = JSON.parse(text);
        } catch {
          body = text;
        }
        resolve({ status: res.statusCode, contentType: res.headers["content-type"], body });
      });
    });
    req.on("error", reject);
    req.end(payload);
  });
}

/** Asserts that `promise` rejects; returns the error for further checks. */
export async function rejection(promise, what) {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  throw new Error(`expected an error: ${what}`);
}

/** Calls sync() until it throws (the change reaches the worker within a reconcile interval); returns the error. */
export async function syncUntilError(replica, what) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      replica.sync();
    } catch (e) {
      return e;
    }
    await sleep(200);
  }
  throw new Error(`sync kept succeeding: ${what}`);
}
