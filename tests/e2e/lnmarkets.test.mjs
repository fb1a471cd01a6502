// Trading on LN Markets in the real app, against the local LN Markets server: connect the
// account in Settings, see its price and candles, buy from the ticket, set take-profit and
// stop-loss on the position, add margin, cash in, see the LN Markets tab, deposit over
// Lightning and withdraw, close it. Needs a session bus with an unlocked
// gnome-keyring (scripts/test starts one).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import os from "node:os";
import { launch, eventually, byTestId, startLnmServer, ui, addLnmAccount } from "./harness.mjs";

const KEY = "kestrel-e2e-trader";
const SECRET = "kestrel-e2e-trader-secret";
const PASSPHRASE = "kestrel-e2e-trader-passphrase";

let venue;
let app;
let driver;
let u;

const positionRow = async () => (await u.findAll("position-row"))[0];
const headerSats = async () => Number((await (await u.find("account-balance")).getText()).replace(/[^\d]/g, ""));
const cell = async (id) => (await (await positionRow()).findElement(byTestId(id))).getText();

before(async () => {
  venue = await startLnmServer(KEY, SECRET, PASSPHRASE);
  app = await launch({ home: path.join(os.tmpdir(), `kestrel-e2e-lnm-${process.pid}`) });
  driver = app.driver;
  u = ui(driver);
});

after(async () => {
  await app?.close();
  venue?.process.kill();
});

test("an LN Markets account shows its live price and candles", async () => {
  const id = await addLnmAccount(driver, venue, { label: "LNM trader", key: KEY, secret: SECRET, passphrase: PASSPHRASE });
  await (await u.find("close-settings")).click();
  await u.choose("account-switcher", id);
  await eventually(
    async () => (await (await u.find("instrument-select")).getAttribute("value")).includes("BTC/USD"),
    "the LN Markets instrument",
    20000,
  );
  await eventually(async () => {
    const chart = await u.find("chart");
    const close = Number(await chart.getAttribute("data-last-close"));
    return Number(await chart.getAttribute("data-candle-count")) > 100 && close > 49000 && close < 51000;
  }, "LN Markets candles near the server's 50 000 quote", 20000);
  await eventually(async () => (await (await u.find("venue-status")).getAttribute("data-status")) === "live", "live stream", 20000);
  // Balance in sats, with its USD value at the last price: 0.1 BTC at 50 000 USD.
  await eventually(async () => (await (await u.find("account-balance")).getText()).includes("10,000,000"), "balance in sats");
});

test("a market buy from the ticket opens a long of 100 contracts", async () => {
  await (await u.find("ticket-side-buy")).click();
  await (await u.find("ticket-type-market")).click();
  await u.typeInto("ticket-size", "100");
  await eventually(async () => (await u.find("ticket-submit")).isEnabled(), "submit enabled");
  await (await u.find("ticket-submit")).click();
  await (await u.find("tab-positions")).click();
  const row = await eventually(positionRow, "the position row", 15000);
  assert.equal(await row.getAttribute("data-side"), "long");
  assert.equal(Number(await row.getAttribute("data-size")), 100);
});

test("take-profit and stop-loss are set on the position", async () => {
  await (await (await positionRow()).findElement(byTestId("position-tpsl"))).click();
  await eventually(async () => (await u.findAll("tpsl-editor")).length === 1, "the TP/SL editor");
  // A take-profit below a long's entry is refused next to the field, and nothing is sent.
  await u.typeInto("field-take-profit", "40000");
  await (await u.find("save-tpsl")).click();
  await eventually(async () => (await u.findAll("tpsl-error-take_profit")).length === 1, "the take-profit message");
  await u.typeInto("field-take-profit", "55000");
  await u.typeInto("field-stop-loss", "47000.5");
  await (await u.find("save-tpsl")).click();
  await eventually(async () => (await cell("position-tp")).replace(/,/g, "").includes("55000"), "TP on the position", 15000);
  await eventually(async () => (await cell("position-sl")).replace(/,/g, "").includes("47000.5"), "SL on the position", 15000);
});

test("margin added to the position shows on it", async () => {
  const before = Number((await cell("position-margin")).replace(/[^\d]/g, ""));
  await (await (await positionRow()).findElement(byTestId("position-add-margin"))).click();
  await eventually(async () => (await u.findAll("margin-editor")).length === 1, "the margin editor");
  await u.typeInto("field-margin-amount", "10000");
  await (await u.find("save-margin")).click();
  await eventually(
    async () => Number((await cell("position-margin")).replace(/[^\d]/g, "")) === before + 10000,
    `margin ${before} + 10 000 sats`,
    15000,
  );
  await app.screenshot("lnmarkets-position");
});

test("cash-in takes sats back out of the position", async () => {
  const before = Number((await cell("position-margin")).replace(/[^\d]/g, ""));
  await (await (await positionRow()).findElement(byTestId("position-cash-in"))).click();
  await eventually(async () => (await u.findAll("cashin-editor")).length === 1, "the cash-in editor");
  await u.typeInto("field-cashin-amount", "5000");
  await (await u.find("save-cashin")).click();
  await eventually(
    async () => Number((await cell("position-margin")).replace(/[^\d]/g, "")) === before - 5000,
    `margin ${before} − 5 000 sats`,
    15000,
  );
});

test("the LN Markets tab shows the leaderboard and what the venue no longer offers", async () => {
  await (await u.find("tab-lnmarkets")).click();
  await eventually(async () => (await u.findAll("lnm-leader-row")).length === 2, "leaderboard rows", 15000);
  const lines = await u.findAll("lnm-not-offered-line");
  assert.ok(lines.length >= 2, "the v2-only features are listed");
  assert.match(await (await u.find("lnm-not-offered")).getText(), /Options/);
  await app.screenshot("lnmarkets-panel");
  await (await u.find("tab-positions")).click();
});

test("a Lightning deposit shows its QR code and turns paid; a withdrawal is confirmed, then sent once", async () => {
  const balanceBefore = await headerSats();
  await (await u.find("tab-lnmarkets")).click();
  await (await u.find("lnm-view-wallet")).click();
  await (await u.find("wallet-action-deposit")).click();
  await (await u.find("deposit-kind-lightning")).click();
  await u.typeInto("field-deposit-amount", "25000");
  await (await u.find("create-invoice")).click();
  await eventually(async () => (await u.findAll("deposit-qr")).length === 1, "the invoice QR code", 15000);
  // The test server's "wallet" pays after three seconds; the panel polls while it waits.
  await eventually(async () => (await (await u.find("deposit-status")).getText()).includes("Paid"), "the deposit paid", 20000);
  await app.screenshot("lnmarkets-deposit");

  await (await u.find("wallet-action-withdraw")).click();
  await (await u.find("withdraw-kind-lightning")).click();
  await u.typeInto("field-withdraw-invoice", "lntbs5000n1pqqqsyqcyq5rqwzqf");
  await eventually(async () => (await (await u.find("withdraw-invoice-amount")).getText()).includes("500"), "the invoice's amount");
  await (await u.find("withdraw-review")).click();
  const step = await eventually(async () => (await u.findAll("withdraw-confirm-step"))[0], "the confirmation step");
  const repeated = await step.getText();
  assert.match(repeated, /500/, "the confirmation repeats the amount");
  assert.match(repeated, /lntbs5000n1pqqqsyqcyq5rqwzqf/, "and the destination");
  await (await u.find("withdraw-confirm")).click();
  await eventually(
    async () =>
      driver.executeScript(
        `return [...document.querySelectorAll('[data-testid="wallet-row"]')].some((r) => /withdraw/i.test(r.textContent) && r.textContent.includes("500"));`,
      ),
    "the withdrawal in the history",
    15000,
  );
  // The header's balance follows the money: + 25 000 − 500 sats.
  await eventually(
    async () => (await headerSats()) === balanceBefore + 24500,
    `the balance ${balanceBefore} + 24 500 sats`,
    15000,
  );
  await app.screenshot("lnmarkets-wallet");
  await (await u.find("tab-positions")).click();
});

test("closing the position realizes its PnL", async () => {
  await (await u.find("position-close")).click();
  await eventually(async () => (await u.findAll("position-row")).length === 0, "position closed", 15000);
  await (await u.find("tab-fills")).click();
  await eventually(async () => (await u.findAll("fill-row")).length >= 2, "opening and closing fills", 15000);
  await app.screenshot("lnmarkets-after-close");
});

test("cross margin: sats moved into the cross wallet after a confirmation, a buy on BTC/USD-CROSS, closed", async () => {
  await (await u.find("tab-lnmarkets")).click();
  await (await u.find("lnm-view-cross")).click();
  await eventually(async () => (await u.findAll("lnm-cross-margin")).length > 0, "the cross view", 15000);
  await u.typeInto("lnm-cross-amount", "200000");
  await (await u.find("lnm-cross-deposit")).click();
  const confirm = await eventually(async () => (await u.findAll("lnm-cross-confirm"))[0], "the confirmation");
  assert.match(await confirm.getText(), /200,000/);
  await confirm.click();
  await eventually(
    async () => (await (await u.find("lnm-cross-margin")).getText()).includes("200,000"),
    "200 000 sats in the cross wallet",
    15000,
  );
  assert.equal((await u.findAll("lnm-cross-transfer-row")).length, 1);
  await u.selectInstrument("BTC/USD-CROSS");
  await (await u.find("ticket-side-buy")).click();
  await (await u.find("ticket-type-market")).click();
  await u.typeInto("ticket-size", "100");
  await eventually(async () => (await u.find("ticket-submit")).isEnabled(), "submit enabled");
  await (await u.find("ticket-submit")).click();
  // The position streams in while the Cross margin view is on screen, which re-reads the wallet.
  await eventually(
    async () => (await (await u.find("lnm-cross-position")).getAttribute("data-quantity")) === "100",
    "a long of 100 in the cross view",
    15000,
  );
  assert.match(await (await u.find("lnm-cross-position")).getText(), /Long\s+100/);
  await app.screenshot("lnmarkets-cross");
  await (await u.find("tab-positions")).click();
  const row = await eventually(positionRow, "the cross position row", 15000);
  assert.equal(Number(await row.getAttribute("data-size")), 100);
  await (await u.find("position-close")).click();
  await eventually(async () => (await u.findAll("position-row")).length === 0, "cross position closed", 15000);
});

test("an order whose answer is lost shows as unknown, is reconciled to the one trade, and is never resent", async () => {
  await u.selectInstrument("BTC/USD");
  // The venue carries out the next order but its gateway answers 502: the app cannot know.
  const queued = await fetch(`${venue.rest}/__kestrel/fault`, {
    method: "POST",
    body: JSON.stringify({ path: "/v3/futures/isolated/trade", status: 502, after: true }),
  });
  assert.equal(queued.status, 200);
  const sent = async () =>
    (await (await fetch(`${venue.rest}/__kestrel/requests?method=POST&path=/v3/futures/isolated/trade`)).json()).count;
  const before = await sent();
  await (await u.find("ticket-side-buy")).click();
  await (await u.find("ticket-type-market")).click();
  await u.typeInto("ticket-size", "200");
  await eventually(async () => (await u.find("ticket-submit")).isEnabled(), "submit enabled");
  await (await u.find("ticket-submit")).click();
  await eventually(
    async () => {
      for (const t of await u.findAll("toast")) if (/unknown/i.test(await t.getText())) return true;
      return false;
    },
    "the unknown-outcome toast",
  );
  await (await u.find("tab-positions")).click();
  const row = await eventually(positionRow, "the reconciled position", 20000);
  assert.equal(Number(await row.getAttribute("data-size")), 200);
  assert.equal((await sent()) - before, 1, "sent exactly once");
  await app.screenshot("lnmarkets-reconciled");
  await (await u.find("position-close")).click();
  await eventually(async () => (await u.findAll("position-row")).length === 0, "position closed", 15000);
});
