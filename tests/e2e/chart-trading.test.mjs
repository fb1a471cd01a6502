// Chart trading on the real app, Demo venue, with real pointer actions: arm one-click
// trading, Shift-click the chart, confirm the projected order, see its line and the order;
// drag the line to amend it at the venue; cancel with ×; open a position and drag a
// stop-loss out of its line; place from the DOM ladder; measure click-to-send over 200
// orders; cancel everything from the nuke button. Screenshots of each state.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Key } from "selenium-webdriver";
import { launch, eventually, ui } from "./harness.mjs";

let app;
let driver;
let u;

before(async () => {
  app = await launch();
  driver = app.driver;
  u = ui(driver);
});

after(async () => {
  await app?.close();
});

const lines = (id) => u.findAll(id);
const orderLines = async () => {
  const out = [];
  for (const l of await lines("order-line")) {
    out.push({
      el: l,
      id: await l.getAttribute("data-client-order-id"),
      price: Number(await l.getAttribute("data-price")),
    });
  }
  return out;
};
/** Working orders as the Open orders tab lists them (read in one go: rows update live). */
const orderRows = () =>
  driver.executeScript(
    `return [...document.querySelectorAll('[data-testid="order-row"]')].map((r) => r.textContent);`,
  );
/** The ladder's bid cells that show a size, top (highest) first, by testid. */
const bidCells = () =>
  driver.executeScript(
    `return [...document.querySelectorAll('[data-testid^="dom-bid-"]')]
       .filter((c) => /\\d/.test(c.textContent)).map((c) => c.getAttribute("data-testid"));`,
  );
/** A backend command straight over IPC, as the web view calls it. */
const invoke = (cmd, args = {}) =>
  driver.executeAsyncScript(
    `const done = arguments[arguments.length - 1];
     window.__TAURI_INTERNALS__.invoke(arguments[0], arguments[1]).then(done, (e) => done({ error: String(e) }));`,
    cmd,
    args,
  );

test("the Demo chart is live and one-click trading starts disarmed", async () => {
  await eventually(
    async () =>
      Number(await (await u.find("chart")).getAttribute("data-candle-count")) >
      100,
    "candles",
  );
  await eventually(
    async () =>
      (await (await u.find("venue-status")).getAttribute("data-status")) ===
      "live",
    "live feed",
  );
  await app.screenshot("chart-start");
  assert.equal(
    await (await u.find("chart-arm")).getAttribute("aria-pressed"),
    "false",
  );
  // Disarmed, a Shift-click projects nothing.
  const chart = await u.find("chart");
  await driver
    .actions()
    .keyDown(Key.SHIFT)
    .move({ origin: chart, x: -80, y: 120 })
    .click()
    .keyUp(Key.SHIFT)
    .perform();
  assert.equal((await lines("projected-line")).length, 0);
  await app.screenshot("chart-disarmed");
});

test("armed, a Shift-click projects a buy; confirming it places one limit order, drawn on the chart", async () => {
  await (await u.find("chart-arm")).click();
  assert.equal(
    await (await u.find("chart-arm")).getAttribute("aria-pressed"),
    "true",
  );
  await u.typeInto("ticket-size", "0.01");
  const chart = await u.find("chart");
  // Well below the middle of the price axis: a bid that rests.
  await driver
    .actions()
    .keyDown(Key.SHIFT)
    .move({ origin: chart, x: -80, y: 150 })
    .click()
    .keyUp(Key.SHIFT)
    .perform();
  const projected = await eventually(
    async () => (await lines("projected-line"))[0],
    "the projected order",
  );
  assert.equal(await projected.getAttribute("data-side"), "buy");
  await app.screenshot("chart-projected");
  await (await u.find("projected-confirm")).click();
  const [line] = await eventually(
    async () => {
      const l = await orderLines();
      return l.length === 1 ? l : null;
    },
    "the working order's line",
    15000,
  );
  assert.equal(
    line.price,
    Number(await projected.getAttribute("data-price").catch(() => line.price)),
  );
  await (await u.find("tab-orders")).click();
  await eventually(
    async () => (await orderRows()).length === 1,
    "the order in the Open orders panel",
  );
  await app.screenshot("chart-order-line");
});

test("dragging the order line amends the order at the venue; × cancels it", async () => {
  const [before] = await orderLines();
  const label = await u.find("order-line-label");
  await driver
    .actions()
    .move({ origin: label })
    .press()
    .move({ origin: label, x: 0, y: 40 })
    .release()
    .perform();
  const moved = await eventually(
    async () => {
      const [l] = await orderLines();
      return l &&
        l.price !== before.price &&
        (await lines("order-line-ghost")).length === 0
        ? l
        : null;
    },
    "the line at its new price, acknowledged",
    15000,
  );
  assert.ok(
    moved.price < before.price,
    `moved down: ${before.price} → ${moved.price}`,
  );
  // The venue has it at the new price (Demo amends in place: same client id).
  const open = await invoke("account_snapshot", { account: "demo" });
  const working = (open.open_orders ?? []).filter((o) => o.status === "open");
  assert.equal(working.length, 1, JSON.stringify(open));
  assert.equal(Number(working[0].price), moved.price);
  await app.screenshot("chart-order-amended");
  await (await u.find("order-line-cancel")).click();
  await eventually(
    async () => (await orderLines()).length === 0,
    "the line gone after cancel",
  );
  await eventually(
    async () => (await orderRows()).length === 0,
    "no working orders",
  );
});

test("dragging down from the position line sets a stop-loss at the venue", async () => {
  await (await u.find("ticket-side-buy")).click();
  await (await u.find("ticket-type-market")).click();
  await u.typeInto("ticket-size", "0.02");
  await (await u.find("ticket-submit")).click();
  const positionLine = await eventually(
    async () => (await lines("position-line-label"))[0],
    "the position line",
    15000,
  );
  await driver
    .actions()
    .move({ origin: positionLine })
    .press()
    .move({ origin: positionLine, x: 0, y: 60 })
    .release()
    .perform();
  const sl = await eventually(
    async () => (await lines("sl-line"))[0],
    "the stop-loss line",
    15000,
  );
  const slPrice = Number(await sl.getAttribute("data-price"));
  await (await u.find("tab-positions")).click();
  await eventually(
    async () =>
      (await (await u.find("position-sl")).getText())
        .replace(/,/g, "")
        .includes(String(slPrice)),
    `the position's stop-loss ${slPrice}`,
    15000,
  );
  await app.screenshot("chart-stop-loss");
});

test("a click on the DOM ladder's bid side places a limit at that level", async () => {
  await (await u.find("book-tab-ladder")).click();
  await eventually(
    async () => (await u.findAll("dom-ladder")).length === 1,
    "the ladder",
  );
  // The third bid row from the top of the bids: below the market, so it rests.
  const bids = await eventually(async () => {
    const b = await bidCells();
    return b.length >= 3 ? b : null;
  }, "bid levels on the ladder");
  await (await u.find(bids[2])).click();
  const price = Number(bids[2].slice("dom-bid-".length));
  await eventually(
    async () => (await orderLines()).some((l) => l.price === price),
    `an order line at ${price}`,
    15000,
  );
  await app.screenshot("chart-ladder-order");
});

test("click-to-send latency over 200 ladder clicks, then Cancel all clears the book", async () => {
  // The smallest size, so 200 orders stay within the demo account's margin.
  await u.typeInto("ticket-size", "0.001");
  // The ladder follows the market, so each click looks its row up again.
  // A cell re-rendered (or scrolled away) between finding and clicking it is stale or gone:
  // WebDriver refuses that click before dispatching it, so trying again cannot place a
  // second order.
  for (let i = 0; i < 200; i++) {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const bids = await bidCells();
      try {
        if (bids.length === 0)
          throw Object.assign(new Error("no bid rows yet"), {
            name: "NoSuchElementError",
          });
        await (await u.find(bids[Math.min(5, bids.length - 1)])).click();
        break;
      } catch (e) {
        const gone =
          e.name === "StaleElementReferenceError" ||
          e.name === "NoSuchElementError";
        if (!gone || Date.now() > deadline) throw e;
        await new Promise((r) => setTimeout(r, 30));
      }
    }
  }
  await eventually(
    async () => (await invoke("order_latency")).count >= 200,
    "200 orders measured",
    60000,
  );
  const latency = await invoke("order_latency");
  console.log(
    `click-to-send over ${latency.count} orders: p50 ${latency.p50_ms.toFixed(2)} ms, p99 ${latency.p99_ms.toFixed(2)} ms, max ${latency.max_ms.toFixed(2)} ms`,
  );
  assert.ok(latency.p50_ms < 1000, JSON.stringify(latency));
  // The ladder's bids may have filled as the market moved: three limits 1 % below it rest.
  const last = Number(
    await (await u.find("chart")).getAttribute("data-last-close"),
  );
  const far = Math.floor((last * 0.99) / 0.5) * 0.5;
  await (await u.find("ticket-side-buy")).click();
  await (await u.find("ticket-type-limit")).click();
  await u.typeInto("ticket-price", String(far));
  await u.typeInto("ticket-size", "0.01");
  for (let i = 0; i < 3; i++) {
    await eventually(
      async () => (await u.find("ticket-submit")).isEnabled(),
      "submit enabled",
    );
    await (await u.find("ticket-submit")).click();
  }
  await (await u.find("tab-orders")).click();
  await eventually(
    async () => (await orderRows()).length >= 3,
    "the three resting limits",
  );
  // The button counts the working orders it will cancel: enabled once they are listed.
  await eventually(
    async () => (await u.find("nuke-cancel-all")).isEnabled(),
    "Cancel all enabled",
  );
  await (await u.find("nuke-cancel-all")).click();
  const confirm = await eventually(
    async () => (await u.findAll("nuke-confirm"))[0],
    "the confirmation",
  );
  assert.match(
    await (await u.find("nuke-question")).getText(),
    /Cancel \d+ working orders/,
  );
  await confirm.click();
  await eventually(
    async () => (await orderRows()).length === 0,
    "every order cancelled",
    60000,
  );
  await app.screenshot("chart-after-cancel-all");
});
