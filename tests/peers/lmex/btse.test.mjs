// ccxt's `btse` exchange (BTSE's futures API v2.3, which LMEX runs) against our LMEX test
// server: the server must accept ccxt's signatures and answer in shapes ccxt reads, and
// ccxt's signature for a fixed request must equal ours (`lmex-server sign`, the connector's
// own signing) and BTSE's documentation vectors. ccxt only knows BTSE's hosts, so its
// `urls.api` is pointed at 127.0.0.1 (NOTES.md §2.6).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { createInterface } from "node:readline";
import path from "node:path";
import ccxt from "ccxt";

const binary =
  process.env.KESTREL_LMEX_SERVER ?? path.resolve(import.meta.dirname, "../../../target/debug/lmex-server");

// BTSE's documentation example secret and its two published signatures.
const DOC_SECRET = "848db84ac252b6726e5f6e7a711d9c96d9fd77d020151b45839a5b59c37203bx";
const DOC_ORDER_BODY =
  '{"postOnly":false,"price":8500.0,"reduceOnly":false,"side":"BUY","size":1,"stopPrice":0.0,"symbol":"BTCPFC","time_in_force":"GTC","trailValue":0.0,"triggerPrice":0.0,"txType":"LIMIT","type":"LIMIT"}';

let server;
let base; // http://127.0.0.1:PORT — ccxt's paths start with futures/api/v2.3/
let key;
let secret;

before(async () => {
  server = spawn(binary, ["--static"], { stdio: ["pipe", "pipe", "inherit"] });
  const lines = createInterface({ input: server.stdout });
  const mount = await new Promise((resolve, reject) => {
    server.once("exit", (code) => reject(new Error(`lmex-server exited (${code})`)));
    lines.on("line", (line) => {
      const field = (name) => (line.startsWith(name) ? line.slice(name.length).trim() : undefined);
      key = field("  API key:") ?? key;
      secret = field("  API secret:") ?? secret;
      if (line.startsWith("READY ")) resolve(line.slice(6).trim());
    });
  });
  assert.ok(key && secret, "the server printed a key and a secret");
  base = new URL(mount).origin;
});

after(() => {
  server?.stdin.end();
  server?.kill();
});

function exchange(apiSecret = secret) {
  const ex = new ccxt.btse({ apiKey: key, secret: apiSecret });
  ex.urls["api"] = { public: base, private: base };
  return ex;
}

/** Our signature for the same request: the connector's `sign`, run by `lmex-server sign`. */
function ours(apiSecret, signedPath, nonce, body) {
  return execFileSync(binary, ["sign", apiSecret, signedPath, String(nonce), body], { encoding: "utf8" }).trim();
}

/** ccxt's request for `route` (below futures/api/v2.3/) at a fixed nonce, not sent. */
function signed(ex, method, route, params) {
  return ex.sign(`futures/api/v2.3/${route}`, "private", method, params);
}

test("ccxt's signatures equal BTSE's documentation vectors", () => {
  const ex = exchange(DOC_SECRET);
  ex.nonce = () => 1624984297330;
  const wallet = ex.sign("futures/api/v2.1/user/wallet", "private", "GET", {});
  assert.equal(
    wallet.headers["request-sign"],
    "ea4f1f2b43a0f4d750ae560c5274d6214d140fcab3093da5f4a83e36828535bd2ba7b12160cd12199596f422c8883333",
  );
  // JavaScript cannot print `8500.0`: ccxt's JSON text is replaced by the document's, so the
  // rest of its signing (path, nonce, HMAC, hex) is what this checks.
  ex.nonce = () => 1624985375123;
  ex.json = () => DOC_ORDER_BODY;
  const order = ex.sign("futures/api/v2.1/order", "private", "POST", { any: "thing" });
  assert.equal(order.body, DOC_ORDER_BODY);
  assert.equal(
    order.headers["request-sign"],
    "943adfce43b609a28506274976b96e08cf4bdc4ea53ca0b4cac0eb2cf0773a7d0807efc0aeab779d47fadcd9a60eea13",
  );
  assert.equal(ours(DOC_SECRET, "/api/v2.1/order", 1624985375123, DOC_ORDER_BODY), order.headers["request-sign"]);
});

test("ccxt signs a GET and a POST as we do", () => {
  const ex = exchange();
  ex.nonce = () => 1700000000123;
  const get = signed(ex, "GET", "user/open_orders", { symbol: "BTC-PERP" });
  assert.ok(get.url.endsWith("/futures/api/v2.3/user/open_orders?symbol=BTC-PERP"), get.url);
  assert.equal(get.body, undefined, "GET parameters go in the query, unsigned");
  assert.equal(get.headers["request-nonce"], "1700000000123");
  assert.equal(get.headers["request-sign"], ours(secret, "/api/v2.3/user/open_orders", 1700000000123, ""));

  const post = signed(ex, "POST", "order", {
    symbol: "BTC-PERP",
    side: "BUY",
    type: "LIMIT",
    size: 2,
    price: 80000.5,
    time_in_force: "GTC",
    txType: "LIMIT",
    postOnly: false,
    reduceOnly: false,
    clOrderID: "sig-1",
  });
  assert.equal(typeof post.body, "string");
  assert.equal(post.headers["request-sign"], ours(secret, "/api/v2.3/order", 1700000000123, post.body));
  // And the signatures differ when anything signed differs.
  assert.notEqual(post.headers["request-sign"], ours(secret, "/api/v2.3/order", 1700000000124, post.body));
});

test("the server accepts ccxt's requests: wallet, open orders, a limit order placed and cancelled", async () => {
  const ex = exchange();
  const wallets = await ex.privateGetFuturesApiV23UserWallet();
  assert.ok(Array.isArray(wallets), JSON.stringify(wallets));
  assert.equal(wallets[0].wallet, "CROSS@");
  assert.equal(wallets[0].assets[0].currency, "USDT");
  assert.equal(wallets[0].availableBalance, 100000);

  const none = await ex.privateGetFuturesApiV23UserOpenOrders({ symbol: "BTC-PERP" });
  assert.deepEqual(none, []);

  const [market] = await ex.publicGetFuturesApiV23MarketSummary({ symbol: "BTC-PERP" });
  assert.equal(market.contractSize, 0.0001);
  const price = Math.floor((market.highestBid * 0.9) / market.minPriceIncrement) * market.minPriceIncrement;

  const acks = await ex.privatePostFuturesApiV23Order({
    symbol: "BTC-PERP",
    side: "BUY",
    type: "LIMIT",
    size: 3,
    price,
    time_in_force: "GTC",
    txType: "LIMIT",
    postOnly: false,
    reduceOnly: false,
    clOrderID: "ccxt-peer-1",
  });
  assert.ok(Array.isArray(acks), JSON.stringify(acks));
  assert.equal(acks[0].status, 2, JSON.stringify(acks));
  assert.equal(acks[0].clOrderID, "ccxt-peer-1");
  assert.equal(acks[0].price, price);
  assert.equal(acks[0].size, 3);
  const orderID = acks[0].orderID;
  assert.ok(orderID);

  const open = await ex.privateGetFuturesApiV23UserOpenOrders({ symbol: "BTC-PERP" });
  assert.equal(open.length, 1);
  assert.equal(open[0].orderID, orderID);
  assert.equal(open[0].price, price);

  const cancelled = await ex.privateDeleteFuturesApiV23Order({ symbol: "BTC-PERP", orderID });
  assert.equal(cancelled[0].status, 6, JSON.stringify(cancelled));
  assert.equal(cancelled[0].orderID, orderID);

  const after = await ex.privateGetFuturesApiV23UserOpenOrders({ symbol: "BTC-PERP" });
  assert.deepEqual(after, [], "the order is gone");
  const row = await ex.privateGetFuturesApiV23Order({ orderID });
  assert.equal(row.status, 6);
});

test("a wrong secret is refused and ccxt reads the refusal as an authentication error", async () => {
  const ex = exchange("not-the-secret");
  await assert.rejects(() => ex.privateGetFuturesApiV23UserWallet(), ccxt.AuthenticationError);
});

test("a refusal inside an HTTP 200 reaches ccxt as the venue's status", async () => {
  const ex = exchange();
  // An order the server does not know: HTTP 200 with status 16, which ccxt maps itself.
  await assert.rejects(
    () => ex.privateDeleteFuturesApiV23Order({ symbol: "BTC-PERP", clOrderID: "never-placed" }),
    ccxt.OrderNotFound,
  );
});
