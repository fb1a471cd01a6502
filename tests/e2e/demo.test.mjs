// The whole Demo flow on the real app: live candles, a market buy from the ticket, the
// position, a limit order placed and cancelled, the position closed, realized PnL in the
// fills, and bad ticket input refused without sending anything.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, eventually, byTestId } from "./harness.mjs";

let app;
let driver;

before(async () => {
  app = await launch();
  driver = app.driver;
});

after(async () => {
  await app?.close();
});

const find = (id) => driver.findElement(byTestId(id));
const findAll = (id) => driver.findElements(byTestId(id));
const attr = async (id, name) => (await find(id)).getAttribute(name);

async function typeInto(id, text) {
  const el = await find(id);
  // WebKitWebDriver's clear() fires no input event, but typing after it does: the app sees
  // the whole new text.
  await el.clear();
  await el.sendKeys(text);
}

async function openTab(name) {
  await (await find(`tab-${name}`)).click();
}

test("live Demo candles, book and tape appear", async () => {
  await eventually(async () => Number(await attr("chart", "data-candle-count")) > 100, "candle history");
  const firstClose = await attr("chart", "data-last-close");
  await eventually(async () => (await findAll("book-bid-row")).length >= 10, "book bids");
  await eventually(async () => (await findAll("book-ask-row")).length >= 10, "book asks");
  await eventually(async () => (await findAll("tape-row")).length > 0, "trade prints");
  await eventually(async () => (await attr("venue-status", "data-status")) === "live", "live status");
  await eventually(async () => (await attr("chart", "data-last-close")) !== firstClose, "a live candle update", 20000);
});

test("scrolling back loads older history, and timeframes switch", async () => {
  const before = Number(await attr("chart", "data-candle-count"));
  const rect = await (await find("chart")).getRect();
  const x = Math.round(rect.x + rect.width / 3);
  const y = Math.round(rect.y + rect.height / 3);
  // Wheel left pans the chart into the past until the next page is fetched.
  // Synthetic wheel events did not add up in WebKitWebDriver (the chart stopped after the
  // first few), so each try asks for a longer pan than the last.
  let reach = 0;
  await eventually(
    async () => {
      reach += 2000;
      await driver.actions().scroll(x, y, -reach, 0).perform();
      return Number(await attr("chart", "data-candle-count")) > before;
    },
    `more than ${before} candles after scrolling back`,
    30000,
  );
  await (await find("timeframe-5m")).click();
  await eventually(async () => Number(await attr("chart", "data-candle-count")) > 100, "5m candles");
  await (await find("timeframe-1m")).click();
  await eventually(async () => Number(await attr("chart", "data-candle-count")) > 100, "1m candles again");
});

test("bad ticket input shows a message and sends nothing", async () => {
  await (await find("ticket-type-limit")).click();
  await typeInto("ticket-size", "0.0001");
  await eventually(async () => (await findAll("ticket-error-size")).length > 0, "size error");
  assert.equal(await (await find("ticket-submit")).isEnabled(), false);
  await typeInto("ticket-size", "-1");
  await eventually(async () => (await findAll("ticket-error-size")).length > 0, "negative size error");
  await typeInto("ticket-size", "0.01");
  await typeInto("ticket-price", "1000.3");
  await eventually(async () => (await findAll("ticket-error-price")).length > 0, "off-tick price error");
  assert.equal(await (await find("ticket-submit")).isEnabled(), false);
  await openTab("orders");
  assert.equal((await findAll("order-row")).length, 0);
});

test("market buy opens a position", async () => {
  await (await find("ticket-side-buy")).click();
  await (await find("ticket-type-market")).click();
  await typeInto("ticket-size", "0.05");
  await eventually(async () => (await find("ticket-submit")).isEnabled(), "submit enabled");
  await (await find("ticket-submit")).click();
  await openTab("positions");
  const row = await eventually(async () => (await findAll("position-row"))[0], "position row");
  assert.equal(await row.getAttribute("data-side"), "long");
  assert.equal(Number(await row.getAttribute("data-size")), 0.05);
  await app.screenshot("demo-position");
});

test("a limit order rests and can be cancelled", async () => {
  const bid = Number(await (await driver.findElements(byTestId("book-bid-row")))[0].getAttribute("data-price"));
  const price = (Math.floor((bid * 0.98) / 0.5) * 0.5).toFixed(1);
  await (await find("ticket-side-buy")).click();
  await (await find("ticket-type-limit")).click();
  await typeInto("ticket-size", "0.02");
  await typeInto("ticket-price", price);
  await eventually(async () => (await find("ticket-submit")).isEnabled(), "submit enabled");
  await (await find("ticket-submit")).click();
  await openTab("orders");
  const row = await eventually(async () => {
    const rows = await findAll("order-row");
    for (const r of rows) if ((await r.getAttribute("data-status")) === "open") return r;
    return null;
  }, "open limit order");
  await app.screenshot("demo-limit-order");
  await (await row.findElement(byTestId("order-cancel"))).click();
  await eventually(async () => (await findAll("order-row")).length === 0, "order gone after cancel");
});

test("closing the position realizes PnL in the fills", async () => {
  await openTab("positions");
  await (await find("position-close")).click();
  await eventually(async () => (await findAll("position-row")).length === 0, "position closed");
  await openTab("fills");
  const realized = await eventually(async () => {
    for (const r of await findAll("fill-row")) {
      const pnl = Number(await r.getAttribute("data-realized-pnl"));
      if (pnl !== 0 && Number.isFinite(pnl)) return pnl;
    }
    return null;
  }, "a fill with realized PnL");
  assert.ok(Number.isFinite(realized));
  await app.screenshot("demo-after-close");
});
