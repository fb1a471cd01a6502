// The official LN Markets SDK's Stream API v1 client (@ln-markets/sdk/stream/v1, a client we
// did not write) against our LN Markets test server: it authenticates with its own signature,
// subscribes to public and private topics and reads our pushes. Its socket is pointed at
// 127.0.0.1 by a module hook (ws-hooks.mjs); nothing else of the SDK is touched.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { register } from "node:module";
import path from "node:path";

register("./ws-hooks.mjs", import.meta.url);

const KEY = "peer-key";
const SECRET = "peer-secret-0123456789";
const PASSPHRASE = "peer-passphrase";
const binary =
  process.env.LNM_SERVER ?? path.resolve(import.meta.dirname, "../../../target/debug/lnmarkets-server");

let server;
let rest;

before(async () => {
  server = spawn(binary, ["--static", KEY, SECRET, PASSPHRASE], { stdio: ["pipe", "pipe", "inherit"] });
  const lines = createInterface({ input: server.stdout });
  const urls = {};
  await new Promise((resolve, reject) => {
    server.once("exit", (code) => reject(new Error(`server exited (${code})`)));
    lines.on("line", (line) => {
      const m = line.match(/stream URL:\s+(\S+)/);
      if (m) urls.stream = m[1];
      if (line.startsWith("READY ")) {
        urls.rest = line.slice(6).trim();
        resolve();
      }
    });
  });
  rest = urls.rest;
  globalThis.LNM_STREAM_URL = urls.stream;
});

after(() => {
  server?.stdin.end();
  server?.kill();
});

async function stream() {
  const { StreamClient } = await import("@ln-markets/sdk/stream/v1");
  const client = new StreamClient({ network: "mainnet", reconnectEnabled: false });
  await client.connect();
  return client;
}

function next(client, topic, ms = 10_000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no push on ${topic} within ${ms} ms`)), ms);
    client.once(topic, (data) => {
      clearTimeout(timer);
      resolve(data);
    });
  });
}

/** A signed REST call of our own, to make the server push (the SDK's REST client is checked
 * in sdk.test.mjs). */
async function signedPost(pathname, body) {
  const { createHttpClient } = await import("@ln-markets/sdk/rest/v3");
  const realFetch = globalThis.fetch;
  globalThis.fetch = (input, init) => {
    const request = input instanceof Request ? input : new Request(input, init);
    const url = new URL(request.url);
    return realFetch(new Request(`${rest}${url.pathname}${url.search}`, request));
  };
  try {
    const c = createHttpClient({ key: KEY, secret: SECRET, passphrase: PASSPHRASE, network: "mainnet" });
    return await pathname(c, body);
  } finally {
    globalThis.fetch = realFetch;
  }
}

test("the SDK's stream client connects to the real host name it knows, redirected to us", async () => {
  const client = await stream();
  assert.equal(globalThis.LNM_STREAM_SEEN, "wss://stream.lnmarkets.com/v1");
  const pong = await client.ping();
  assert.ok(pong !== undefined);
  const time = await client.time();
  assert.ok(Math.abs(Number(time.time ?? time) - Date.now()) < 60_000, JSON.stringify(time));
  client.close();
});

test("authenticate with the SDK's own signature, then private topics are allowed", async () => {
  const client = await stream();
  await assert.rejects(
    () => client.subscribe({ topics: ["futures/inverse/btc_usd/isolated/trades"] }),
    "private topics need authentication first",
  );
  await assert.rejects(() => client.authenticate({ key: KEY, secret: "wrong-secret", passphrase: PASSPHRASE }));
  const ok = await client.authenticate({ key: KEY, secret: SECRET, passphrase: PASSPHRASE });
  assert.ok(ok);
  const topics = [
    "futures/inverse/btc_usd/isolated/trades",
    "futures/inverse/btc_usd/cross/orders",
    "futures/inverse/btc_usd/cross/position",
  ];
  const subscribed = await client.subscribe({ topics });
  assert.deepEqual(subscribed, topics);

  // An isolated trade opened over REST is pushed to the authenticated stream.
  const pushed = next(client, "futures/inverse/btc_usd/isolated/trades");
  const trade = await signedPost((c) =>
    c.futures.isolated.newTrade({ type: "market", side: "buy", leverage: 10, quantity: 100, clientId: "peer-stream-1" }),
  );
  const event = await pushed;
  assert.equal(event.trade.id, trade.id);
  assert.equal(event.trade.clientId, "peer-stream-1");

  // A cross order and the position follow in the SDK's CrossOrderEvent / CrossPositionData shapes.
  const deposited = next(client, "futures/inverse/btc_usd/cross/position");
  await signedPost((c) => c.futures.cross.deposit({ amount: 1_000_000 }));
  const d = await deposited;
  assert.equal(d.event, "deposit");
  assert.equal(d.position.margin, 1_000_000);
  const order = next(client, "futures/inverse/btc_usd/cross/orders");
  const position = next(client, "futures/inverse/btc_usd/cross/position");
  const sent = await signedPost((c) => c.futures.cross.newOrder({ type: "market", side: "sell", quantity: 50 }));
  const o = await order;
  assert.equal(o.event, "new");
  assert.equal(o.order.id, sent.id);
  assert.equal(typeof o.order.filledAt, "number");
  const p = await position;
  assert.equal(p.event, "new");
  assert.equal(p.position.quantity, -50);
  assert.equal(typeof p.position.updatedAt, "number");
  client.close();
});

test("public topics stream without authentication", async () => {
  const client = await stream();
  const subscribed = await client.subscribe({ topics: ["futures/inverse/btc_usd/lastPrice"] });
  assert.deepEqual(subscribed, ["futures/inverse/btc_usd/lastPrice"]);
  client.close();
});
