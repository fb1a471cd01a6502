// The official LN Markets SDK (@ln-markets/sdk, REST v3) against our LN Markets test
// server: the server must accept the SDK's signatures and the SDK must read the server's
// answers. The SDK only knows the real hosts, so its fetch is pointed at 127.0.0.1.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import path from "node:path";

const KEY = "peer-key";
const SECRET = "peer-secret-0123456789";
const PASSPHRASE = "peer-passphrase";
const binary =
  process.env.LNM_SERVER ?? path.resolve(import.meta.dirname, "../../../target/debug/lnmarkets-server");

let server;
let base;

before(async () => {
  server = spawn(binary, [KEY, SECRET, PASSPHRASE], { stdio: ["pipe", "pipe", "inherit"] });
  const lines = createInterface({ input: server.stdout });
  base = await new Promise((resolve, reject) => {
    server.once("exit", (code) => reject(new Error(`server exited (${code})`)));
    lines.on("line", (line) => {
      if (line.startsWith("READY ")) resolve(line.slice(6).trim());
    });
  });
  const realFetch = globalThis.fetch;
  globalThis.fetch = (input, init) => {
    const request = input instanceof Request ? input : new Request(input, init);
    const url = new URL(request.url);
    const local = `${base}${url.pathname}${url.search}`;
    return realFetch(new Request(local, request));
  };
});

after(() => {
  server?.stdin.end();
  server?.kill();
});

async function client(passphrase = PASSPHRASE) {
  const { createHttpClient } = await import("@ln-markets/sdk/rest/v3");
  return createHttpClient({ key: KEY, secret: SECRET, passphrase, network: "mainnet" });
}

test("public data reads", async () => {
  const c = await client();
  const ticker = await c.futures.getTicker();
  assert.equal(ticker.prices[0].bidPrice, 50000);
  assert.equal(typeof ticker.fundingTime, "string");
  const from = new Date(Date.now() - 60 * 60_000).toISOString();
  const candles = await c.futures.getCandles({ from, range: "1m", limit: 30 });
  assert.equal(candles.data.length, 30);
  assert.ok(candles.nextCursor);
});

test("the server accepts the SDK's signatures on GET and POST", async () => {
  const c = await client();
  const account = await c.account.get();
  assert.equal(account.balance, 10_000_000);
  const trade = await c.futures.isolated.newTrade({ type: "market", side: "buy", leverage: 10, quantity: 100, clientId: "peer-1" });
  assert.equal(trade.running, true);
  assert.equal(trade.clientId, "peer-1");
  assert.equal(trade.margin, Math.floor((100 * 1e8) / (50001 * 10)));
  const running = await c.futures.isolated.getRunningTrades();
  assert.equal(running.length, 1);
  const limit = await c.futures.isolated.newTrade({ type: "limit", side: "buy", leverage: 5, quantity: 50, price: 40000.5 });
  assert.equal(limit.open, true);
  const cancelled = await c.futures.isolated.cancel({ id: limit.id });
  assert.equal(cancelled.canceled, true);
  const closed = await c.futures.isolated.close({ id: trade.id });
  assert.equal(closed.closed, true);
  const page = await c.futures.isolated.getClosedTrades({ limit: 10 });
  assert.equal(page.data.length, 1);
});

test("a wrong passphrase is refused with 401", async () => {
  const c = await client("not-it");
  await assert.rejects(() => c.account.get(), (e) => e?.response?.status === 401);
});
