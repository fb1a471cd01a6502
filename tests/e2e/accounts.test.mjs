// Accounts on the real app: connect an LN Markets account through Settings against the
// local LN Markets server, test the connection, restart and find it connected, remove it
// and find the OS keychain empty. A canary secret typed into the form must appear in no
// log file, no settings file, no IPC reply and no web storage. Needs a session bus with
// an unlocked gnome-keyring (scripts/test starts one).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import os from "node:os";
import { launch, eventually, byTestId, appDataDir, startLnmServer, ui, addLnmAccount } from "./harness.mjs";

const CANARY = `canary-${process.pid}-9f3b2e7d1c`;
const KEY = "kestrel-e2e-key-0042";
const PASSPHRASE = "kestrel-e2e-passphrase";
const SERVICE = "kestrel-dev"; // debug builds file secrets under this service
const home = path.join(os.tmpdir(), `kestrel-e2e-accounts-${process.pid}`);

let venue; // { process, rest, ws }
let app;
let driver;

const find = (id) => driver.findElement(byTestId(id));
const findAll = (id) => driver.findElements(byTestId(id));
const choose = (id, value) => ui(driver).choose(id, value);

// Watches every IPC message the web view receives from here on: command replies and
// Channel messages alike arrive through the callbacks Tauri registers (exposed for
// debugging as __TAURI_INTERNALS__.callbacks). Counts them, and keeps any that holds
// `needle` or `marker`.
async function watchIpc(needle, marker) {
  await driver.executeScript(
    `const callbacks = window.__TAURI_INTERNALS__.callbacks;
     const seen = (window.__ipcSeen = { count: 0, leaks: [], marked: 0 });
     const wrap = (fn) => (data) => {
       const text = JSON.stringify(data ?? null);
       seen.count += 1;
       if (text.includes(arguments[0])) seen.leaks.push(text.slice(0, 500));
       if (text.includes(arguments[1])) seen.marked += 1;
       return fn(data);
     };
     for (const [id, fn] of [...callbacks]) callbacks.set(id, wrap(fn));
     const set = callbacks.set.bind(callbacks);
     Object.defineProperty(callbacks, "set", { value: (id, fn) => set(id, wrap(fn)) });`,
    needle,
    marker,
  );
}

async function row() {
  const rows = await findAll("account-row");
  return rows[0];
}

async function rowText(testId) {
  const r = await row();
  return r ? (await r.findElement(byTestId(testId))).getText() : "";
}

async function openSettings() {
  await (await find("open-settings")).click();
  await eventually(async () => (await findAll("settings-dialog")).length === 1, "the Settings dialog");
}

function keychainLookup(accountId, field) {
  const r = spawnSync("secret-tool", ["lookup", "service", SERVICE, "username", `${accountId}/${field}`]);
  return r.stdout.toString();
}

before(async () => {
  venue = await startLnmServer(KEY, CANARY, PASSPHRASE);
});

after(async () => {
  await app?.close();
  venue?.process.kill();
});

test("an LN Markets account added in Settings connects and shows its balance", async () => {
  app = await launch({ home });
  driver = app.driver;
  await eventually(async () => (await findAll("open-settings")).length === 1, "the main window");
  await watchIpc(CANARY, "Signet e2e");
  await addLnmAccount(driver, venue, { label: "Signet e2e", key: KEY, secret: CANARY, passphrase: PASSPHRASE });
  assert.equal((await findAll("account-row")).length, 1);
  await (await (await row()).findElement(byTestId("test-connection"))).click();
  // 10 000 000 sats on the server: 0.1 BTC.
  await eventually(
    async () => (await rowText("account-balance")).includes("10,000,000 sats"),
    "the balance after Test connection",
  );
  await eventually(async () => !(await rowText("test-connection")).includes("Testing"), "the test to finish");
  const masked = await (await row()).getText();
  assert.match(masked, /kest…42/, "the masked key id is shown");
  await app.screenshot("settings-account-connected");

  // The connected account is in the main window's switcher.
  const options = await driver.executeScript(
    `return [...document.querySelectorAll('[data-testid="account-switcher"] option')].map(o => o.textContent)`,
  );
  assert.ok(options.some((o) => o.includes("Signet e2e")), `switcher lists the account: ${options}`);

  // The canary is nowhere the web view can reach.
  const ipc = await driver.executeScript("return window.__ipcSeen");
  assert.ok(ipc.marked >= 2, `replies about the new account were seen (add_account, settings views): ${JSON.stringify(ipc)}`);
  assert.ok(ipc.count > 10, `channel messages were seen too: ${ipc.count}`);
  assert.deepEqual(ipc.leaks, [], "no IPC message holds the secret");
  const storage = await driver.executeScript(`
    const dump = (s) => Array.from({ length: s.length }, (_, i) => s.key(i) + "=" + s.getItem(s.key(i))).join("\\n");
    const dbs = indexedDB.databases ? (await indexedDB.databases()).map((d) => d.name) : [];
    return { local: dump(localStorage), session: dump(sessionStorage), dbs, dom: document.documentElement.outerHTML,
             inputs: [...document.querySelectorAll("input")].map((i) => i.value).join("\\n") };`);
  for (const [where, text] of Object.entries(storage)) {
    assert.ok(!JSON.stringify(text).includes(CANARY), `the secret is in ${where}`);
  }
  assert.deepEqual(storage.dbs, [], "no IndexedDB databases");
});

test("after a restart the account is still there and connects; logs and settings hold no secret", async () => {
  await app.close();
  app = undefined;
  const dataDir = appDataDir(home);
  const settings = readFileSync(path.join(dataDir, "settings.json"), "utf8");
  assert.ok(settings.includes("Signet e2e"), "the account is in settings.json");
  assert.ok(!settings.includes(CANARY) && !settings.includes(PASSPHRASE), "no secret in settings.json");
  const logDir = path.join(dataDir, "logs");
  const logs = readdirSync(logDir).map((f) => readFileSync(path.join(logDir, f), "utf8"));
  assert.ok(logs.join("").includes("account added"), "the log recorded the account");
  assert.ok(logs.every((l) => !l.includes(CANARY) && !l.includes(PASSPHRASE)), "no secret in the logs");

  app = await launch({ home });
  driver = app.driver;
  await eventually(async () => (await findAll("open-settings")).length === 1, "the main window");
  await openSettings();
  await eventually(async () => (await findAll("account-row")).length === 1, "the account after restart");
  await eventually(async () => (await rowText("account-status")).includes("Connected"), "Connected again", 20000);
});

test("the connected account shows LN Markets candles and a live price in the main window", async () => {
  const id = await (await row()).getAttribute("data-account-id");
  await (await find("close-settings")).click();
  await choose("account-switcher", id);
  // The LN Markets server quotes 50 000 / 50 001 and has 600 one-minute candles near that:
  // far from the Demo's simulated price, so the Demo's data cannot pass for it.
  await eventually(
    async () => (await (await find("instrument-select")).getAttribute("value")).includes("BTC/USD"),
    "the LN Markets instrument",
    20000,
  );
  await eventually(async () => {
    const chart = await find("chart");
    const close = Number(await chart.getAttribute("data-last-close"));
    return Number(await chart.getAttribute("data-candle-count")) > 100 && close > 49000 && close < 51000;
  }, "LN Markets candles", 20000);
  await eventually(async () => (await (await find("venue-status")).getAttribute("data-status")) === "live", "live LN Markets stream", 20000);
  await app.screenshot("lnmarkets-main-window");
  await openSettings();
});

test("removing the account deletes it from settings and from the OS keychain", async () => {
  const id = await (await row()).getAttribute("data-account-id");
  assert.equal(keychainLookup(id, "secret"), CANARY, "the secret is in the keychain before removal");
  await (await (await row()).findElement(byTestId("remove-account"))).click();
  await (await find("confirm-remove")).click();
  await eventually(async () => (await findAll("account-row")).length === 0, "the row gone");
  for (const field of ["key", "secret", "passphrase"]) {
    assert.equal(keychainLookup(id, field), "", `${field} deleted from the keychain`);
  }
  const settings = readFileSync(path.join(appDataDir(home), "settings.json"), "utf8");
  assert.ok(!settings.includes(id), "the account is gone from settings.json");
});

test("with no OS keychain and a corrupt settings file, Settings says both and nothing is stored", async () => {
  await app.close();
  const bare = path.join(os.tmpdir(), `kestrel-e2e-nokeychain-${process.pid}`);
  mkdirSync(appDataDir(bare), { recursive: true });
  writeFileSync(path.join(appDataDir(bare), "settings.json"), '{"accounts": [ truncated');
  app = await launch({ home: bare, env: { DBUS_SESSION_BUS_ADDRESS: "unix:path=/nonexistent/kestrel-bus" } });
  driver = app.driver;
  await eventually(async () => (await findAll("open-settings")).length === 1, "the main window");
  await openSettings();
  await eventually(
    async () => (await (await find("keychain-banner")).getText()).includes("No OS keychain available"),
    "the keychain banner",
  );
  const notice = await (await find("store-notice")).getText();
  assert.match(notice, /settings\.corrupt-\d+\.json/, "the corrupt file was moved aside and reported");
  const aside = readdirSync(appDataDir(bare)).find((f) => f.startsWith("settings.corrupt-"));
  assert.equal(readFileSync(path.join(appDataDir(bare), aside), "utf8"), '{"accounts": [ truncated');
  await app.screenshot("settings-no-keychain");
  const settingsFile = path.join(appDataDir(bare), "settings.json");
  const saved = existsSync(settingsFile) ? readFileSync(settingsFile, "utf8") : "";
  assert.ok(!saved.includes("ln_markets"), "no account stored");
});
