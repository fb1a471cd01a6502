// Trading on LMEX in the real app, against the local LMEX server (BTSE futures v2.3 wire):
// connect the account in Settings, see its live L2 book and candles, place a limit by
// clicking the chart, amend it by dragging, drag it through the market so it fills, close
// the position; a sequence gap on the book stream is repaired. Needs a session bus with an
// unlocked gnome-keyring (scripts/test starts one).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import os from "node:os";
import { Key } from "selenium-webdriver";
import { launch, eventually, startLmexServer, ui, addLmexAccount } from "./harness.mjs";

const KEY = "kestrel-e2e-lmex";
const SECRET = "kestrel-e2e-lmex-secret";

let venue;
let app;
let driver;
let u;

before(async () => {
  venue = await startLmexServer(KEY, SECRET);
  app = await launch({ home: path.join(os.tmpdir(), `kestrel-e2e-lmex-${process.pid}`) });
  driver = app.driver;
  u = ui(driver);
});

after(async () => {
  await app?.close();
  venue?.process.kill();
});

/** The server's own L2 book, best first. */
const serverBook = async () => {
  const r = await fetch(`${venue.rest}/api/v2.3/orderbook/L2?symbol=BTC-PERP&depth=5`);
  const b = await r.json();
  return { bid: Number(b.buyQuote[0].price), ask: Number(b.sellQuote[0].price) };
};
/** The book panel's best bid and ask as shown, read in one go (rows update live). */
const shownBook = () =>
  driver.executeScript(
    `const px = (side) => [...document.querySelectorAll('[data-testid="book-' + side + '-row"]')]
       .map((r) => Number(r.dataset.price ?? r.querySelector('.price')?.textContent.replace(/[^\\d.]/g, '')));
     const asks = px('ask'); const bids = px('bid');
     return { bid: Math.max(...bids), ask: Math.min(...asks), rows: bids.length + asks.length,
              stale: !!document.querySelector('[data-testid="book"] .stale') };`,
  );
const orderLines = async () => {
  const out = [];
  for (const l of await u.findAll("order-line")) {
    out.push({ id: await l.getAttribute("data-client-order-id"), price: Number(await l.getAttribute("data-price")) });
  }
  return out;
};
const invoke = (cmd, args = {}) =>
  driver.executeAsyncScript(
    `const done = arguments[arguments.length - 1];
     window.__TAURI_INTERNALS__.invoke(arguments[0], arguments[1]).then(done, (e) => done({ error: String(e) }));`,
    cmd,
    args,
  );

let account;

test("an LMEX account shows the venue's live L2 book and candles", async () => {
  account = await addLmexAccount(driver, venue, { label: "LMEX trader", key: KEY, secret: SECRET });
  await (await u.find("close-settings")).click();
  await u.choose("account-switcher", account);
  await u.selectInstrument("BTC-PERP");
  await eventually(
    async () => (await (await u.find("instrument-select")).getAttribute("value")).startsWith("lmex:"),
    "the LMEX instrument",
  );
  await eventually(
    async () => Number(await (await u.find("chart")).getAttribute("data-candle-count")) > 100,
    "LMEX candles",
    20000,
  );
  // The book panel shows the venue's book: many levels, best prices as the server has them.
  await eventually(
    async () => {
      const [shown, server] = [await shownBook(), await serverBook()];
      return shown.rows >= 20 && !shown.stale && shown.bid === server.bid && shown.ask === server.ask;
    },
    "the server's L2 book in the book panel",
    20000,
  );
  // Sizes are whole contracts, and the ticket says what one is worth.
  assert.match(await (await u.find("ticket-contract-size")).getText(), /1 contract = 0\.0001 BTC/);
  await app.screenshot("lmex-book");
  // The LMEX tab: the contract, funding now and its history, the dead-man switch (off).
  await (await u.find("tab-lmex")).click();
  await eventually(
    async () => (await u.findAll("lmex-funding-row")).length > 5,
    "funding history in the LMEX tab",
  );
  assert.match(await (await u.find("lmex-contract")).getText(), /0\.0001 BTC/);
  assert.equal(await (await u.find("lmex-dead-man")).getAttribute("data-state"), "off");
  await app.screenshot("lmex-panel");
  await (await u.find("tab-positions")).click();
});

test("a sequence gap on the book stream is repaired: the panel again equals the server's book", async () => {
  const queued = await fetch(`${venue.control}/__kestrel/fault`, {
    method: "POST",
    body: JSON.stringify({ kind: "book_gap" }),
  });
  assert.equal(queued.status, 200);
  // The market moves: the delta after the skipped one names a sequence the app never saw.
  for (let i = 0; i < 3; i++) {
    assert.equal((await fetch(`${venue.control}/__kestrel/move_market`, { method: "POST" })).status, 200);
  }
  await eventually(
    async () => {
      const [shown, server] = [await shownBook(), await serverBook()];
      return !shown.stale && shown.rows >= 20 && shown.bid === server.bid && shown.ask === server.ask;
    },
    "the repaired book",
    20000,
  );
});

test("a limit placed by clicking the chart, amended by dragging, filled by dragging it through the market, then closed", async () => {
  await (await u.find("chart-arm")).click();
  await u.typeInto("ticket-size", "10");
  const chart = await u.find("chart");
  await driver.actions().keyDown(Key.SHIFT).move({ origin: chart, x: -80, y: 150 }).click().keyUp(Key.SHIFT).perform();
  await eventually(async () => (await u.findAll("projected-line")).length === 1, "the projected buy");
  await (await u.find("projected-confirm")).click();
  const [placed] = await eventually(async () => {
    const l = await orderLines();
    return l.length === 1 ? l : null;
  }, "the working order's line", 15000);
  const { bid } = await serverBook();
  assert.ok(placed.price < bid, `a resting bid: ${placed.price} < ${bid}`);

  // Drag it down: one amend at the venue, same order.
  let label = await u.find("order-line-label");
  await driver.actions().move({ origin: label }).press().move({ origin: label, x: 0, y: 40 }).release().perform();
  const moved = await eventually(async () => {
    const [l] = await orderLines();
    return l && l.price < placed.price && (await u.findAll("order-line-ghost")).length === 0 ? l : null;
  }, "the amended line", 15000);
  const snapshot = await invoke("account_snapshot", { account });
  const working = (snapshot.open_orders ?? []).filter((o) => o.status === "open");
  assert.equal(working.length, 1, JSON.stringify(snapshot));
  assert.equal(Number(working[0].price), moved.price);
  await app.screenshot("lmex-order-amended");

  // Drag it up through the market: the amended price crosses the asks and fills.
  label = await u.find("order-line-label");
  const rect = await chart.getRect();
  const labelRect = await label.getRect();
  const toTop = Math.round(rect.y + 12 - (labelRect.y + labelRect.height / 2));
  await driver.actions().move({ origin: label }).press().move({ origin: label, x: 0, y: toTop }).release().perform();
  await (await u.find("tab-positions")).click();
  const row = await eventually(async () => (await u.findAll("position-row"))[0], "the long position", 20000);
  assert.equal(await row.getAttribute("data-side"), "long");
  assert.equal(Number(await row.getAttribute("data-size")), 10);
  await eventually(async () => (await orderLines()).length === 0, "no working order left");
  await app.screenshot("lmex-position");

  await (await u.find("position-close")).click();
  await eventually(async () => (await u.findAll("position-row")).length === 0, "position closed", 15000);
  await (await u.find("tab-fills")).click();
  await eventually(async () => (await u.findAll("fill-row")).length >= 2, "opening and closing fills", 15000);
  await (await u.find("chart-arm")).click();
  await app.screenshot("lmex-after-close");
});
