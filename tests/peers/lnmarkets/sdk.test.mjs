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
  server = spawn(binary, ["--static", KEY, SECRET, PASSPHRASE], { stdio: ["pipe", "pipe", "inherit"] });
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

test("the SDK's trade management calls are accepted: TP/SL, margin, cash-in, cancel-all, funding", async () => {
  const c = await client();
  const trade = await c.futures.isolated.newTrade({ type: "market", side: "buy", leverage: 10, quantity: 1000 });
  const tp = await c.futures.isolated.updateTakeprofit({ id: trade.id, value: 60000 });
  assert.equal(tp.takeprofit, 60000);
  const sl = await c.futures.isolated.updateStoploss({ id: trade.id, value: 48000, mode: "trailing" });
  assert.equal(sl.stoploss, 48000);
  assert.equal((await c.futures.isolated.removeTakeprofit({ id: trade.id })).takeprofit, 0);
  assert.equal((await c.futures.isolated.removeStoploss({ id: trade.id })).stoploss, 0);
  const more = await c.futures.isolated.addMargin({ id: trade.id, amount: 10000 });
  assert.equal(more.margin, trade.margin + 10000);
  const less = await c.futures.isolated.cashIn({ id: trade.id, amount: 5000 });
  assert.equal(less.margin, more.margin - 5000);
  await c.futures.isolated.newTrade({ type: "limit", side: "buy", leverage: 10, quantity: 10, price: 40000 });
  const cancelled = await c.futures.isolated.cancelAll();
  assert.equal(cancelled.length, 1);
  const fees = await c.futures.isolated.getFundingFees({ tradeId: trade.id, limit: 10 });
  assert.deepEqual(fees.data, []);
  const settlements = await c.futures.getFundingSettlements({ limit: 5 });
  assert.ok(settlements.data.length > 0);
  const board = await c.futures.getLeaderboard();
  assert.ok(Array.isArray(board["all-time"]));
});

test("the SDK's cross-margin calls are accepted", async () => {
  const c = await client();
  const deposited = await c.futures.cross.deposit({ amount: 200000 });
  assert.equal(deposited.margin, 200000);
  await c.futures.cross.setLeverage({ leverage: 5 });
  const order = await c.futures.cross.newOrder({ type: "market", side: "sell", quantity: 100 });
  assert.equal(order.filled, true);
  const position = await c.futures.cross.getPosition();
  assert.equal(position.quantity, -100);
  const closed = await c.futures.cross.close();
  assert.equal(closed.side, "buy");
  const transfers = await c.futures.cross.getTransfers({ limit: 5 });
  assert.equal(transfers.data.length, 1);
  const filled = await c.futures.cross.getFilledOrders({ limit: 5 });
  assert.equal(filled.data.length, 2);
});
