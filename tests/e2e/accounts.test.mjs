// Accounts on the real app: connect an LN Markets account through Settings against the
// local LN Markets server, test the connection, restart and find it connected, remove it
// and find the OS keychain empty. A canary secret typed into the form must appear in no
// log file, no settings file, no IPC reply and no web storage. Needs a session bus with
// an unlocked gnome-keyring (scripts/test starts one).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import os from "node:os";
import { launch, eventually, byTestId, appDataDir } from "./harness.mjs";

const CANARY = `canary-${process.pid}-9f3b2e7d1c`;
const KEY = "kestrel-e2e-key-0042";
const PASSPHRASE = "kestrel-e2e-passphrase";
const SERVICE = "kestrel-dev"; // debug builds file secrets under this service
const server = process.env.KESTREL_LNM_SERVER ?? path.resolve("../../target/debug/lnmarkets-server");
const home = path.join(os.tmpdir(), `kestrel-e2e-accounts-${process.pid}`);

let venue; // { process, rest, ws }
let app;
let driver;

function startServer() {
  return new Promise((resolve, reject) => {
    const child = spawn(server, [KEY, CANARY, PASSPHRASE], { stdio: ["pipe", "pipe", "inherit"] });
    let out = "";
    child.on("error", reject);
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const rest = /REST base URL:\s+(\S+)/.exec(out);
      const ws = /stream URL:\s+(\S+)/.exec(out);
      if (out.includes("READY") && rest && ws) resolve({ process: child, rest: rest[1], ws: ws[1] });
    });
  });
}

const find = (id) => driver.findElement(byTestId(id));
const findAll = (id) => driver.findElements(byTestId(id));

async function typeInto(id, text) {
  const el = await find(id);
  await el.clear();
  await el.sendKeys(text);
}

async function choose(id, value) {
  // Selects an <option> by value and tells the app, as a user's pick would.
  await driver.executeScript(
    `const el = document.querySelector('[data-testid="${id}"]');
     el.value = arguments[0];
     el.dispatchEvent(new Event('change', { bubbles: true }));
     el.dispatchEvent(new Event('input', { bubbles: true }));`,
    value,
  );
}

// Records every IPC reply from here on (the web view's side of invoke).
async function recordIpc() {
  await driver.executeScript(`
    const internals = window.__TAURI_INTERNALS__;
    const original = internals.invoke.bind(internals);
    window.__ipcLog = [];
    internals.invoke = async (cmd, args, options) => {
      try {
        const reply = await original(cmd, args, options);
        window.__ipcLog.push(cmd + " " + JSON.stringify(reply ?? null));
        return reply;
      } catch (e) {
        window.__ipcLog.push(cmd + " ! " + JSON.stringify(e ?? null));
        throw e;
      }
    };`);
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
  venue = await startServer();
});

after(async () => {
  await app?.close();
  venue?.process.kill();
});

test("an LN Markets account added in Settings connects and shows its balance", async () => {
  app = await launch({ home });
  driver = app.driver;
  await eventually(async () => (await findAll("open-settings")).length === 1, "the main window");
  await recordIpc();
  await openSettings();
  await (await find("add-account")).click();
  await eventually(async () => (await findAll("account-form")).length === 1, "the account form");
  await choose("field-venue", "ln_markets");
  await typeInto("field-label", "Signet e2e");
  await choose("field-network", "testnet");
  await typeInto("field-key", KEY);
  await typeInto("field-secret", CANARY);
  await typeInto("field-passphrase", PASSPHRASE);
  await (await find("toggle-advanced")).click();
  await typeInto("field-rest_url", venue.rest);
  await typeInto("field-ws_url", venue.ws);
  await (await find("save-account")).click();

  await eventually(async () => (await findAll("account-row")).length === 1, "the new account row");
  await eventually(async () => (await rowText("account-status")).includes("Connected"), "Connected", 20000);
  await (await (await row()).findElement(byTestId("test-connection"))).click();
  // 10 000 000 sats on the server: 0.1 BTC.
  await eventually(
    async () => /10[\s,.\u202f\u00a0]?000[\s,.\u202f\u00a0]?000|0\.1\b/.test(await rowText("account-balance")),
    "the balance after Test connection",
  );
  const masked = await (await row()).getText();
  assert.match(masked, /kest…42/, "the masked key id is shown");
  await app.screenshot("settings-account-connected");

  // The connected account is in the main window's switcher.
  const options = await driver.executeScript(
    `return [...document.querySelectorAll('[data-testid="account-switcher"] option')].map(o => o.textContent)`,
  );
  assert.ok(options.some((o) => o.includes("Signet e2e")), `switcher lists the account: ${options}`);

  // The canary is nowhere the web view can reach.
  const log = await driver.executeScript("return window.__ipcLog");
  assert.ok(log.some((l) => l.startsWith("add_account ")), `add_account was recorded: ${log}`);
  assert.ok(log.every((l) => !l.includes(CANARY)), "no IPC reply holds the secret");
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

test("with no OS keychain the Settings screen says so and nothing is stored", async () => {
  await app.close();
  const bare = path.join(os.tmpdir(), `kestrel-e2e-nokeychain-${process.pid}`);
  app = await launch({ home: bare, env: { DBUS_SESSION_BUS_ADDRESS: "unix:path=/nonexistent/kestrel-bus" } });
  driver = app.driver;
  await eventually(async () => (await findAll("open-settings")).length === 1, "the main window");
  await openSettings();
  await eventually(
    async () => (await (await find("keychain-banner")).getText()).includes("No OS keychain available"),
    "the keychain banner",
  );
  await app.screenshot("settings-no-keychain");
  const settingsFile = path.join(appDataDir(bare), "settings.json");
  const saved = existsSync(settingsFile) ? readFileSync(settingsFile, "utf8") : "";
  assert.ok(!saved.includes("ln_markets"), "no account stored");
});
