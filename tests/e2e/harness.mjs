// Starts tauri-driver (which drives WebKitWebDriver) and opens a WebDriver session on the
// real Kestrel binary. Needs a display: run under xvfb-run (scripts/test does).
import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import path from "node:path";
import os from "node:os";
import { Builder, By, Key, until } from "selenium-webdriver";

export { By, Key, until };

const application = process.env.KESTREL_APP ?? path.resolve("../../target/debug/kestrel");
const artifacts = process.env.KESTREL_ARTIFACTS ?? path.resolve("../../artifacts");

// The app's data directory (settings.json, logs/) under a test home.
export const appDataDir = (home) => path.join(home, "data", "dev.kestrel.terminal");

// Starts the app. `home` keeps app data across launches (a restart); by default each run
// gets a fresh one. `env` adds or overrides environment variables for the app.
export async function launch({ home, env: extraEnv = {} } = {}) {
  mkdirSync(artifacts, { recursive: true });
  const port = 4444 + Math.floor(Math.random() * 1000);
  home ??= path.join(os.tmpdir(), `kestrel-e2e-${process.pid}-${Date.now()}`);
  mkdirSync(home, { recursive: true });
  // Tags the app's process so close() can find it: WebDriver does not always end it, and
  // a leftover app would keep the test runner waiting on its inherited stdout.
  const tag = `${process.pid}-${++launches}`;
  const env = {
    ...process.env,
    KESTREL_E2E_RUN: tag,
    XDG_DATA_HOME: path.join(home, "data"),
    XDG_CONFIG_HOME: path.join(home, "config"),
    ...extraEnv,
  };
  const driverProcess = spawn(
    "tauri-driver",
    ["--port", String(port), "--native-port", String(port + 1000)],
    { env, stdio: ["ignore", "inherit", "inherit"] },
  );
  await waitForPort(port);
  const driver = await new Builder()
    .usingServer(`http://127.0.0.1:${port}/`)
    .withCapabilities({ browserName: "wry", "tauri:options": { application } })
    .build();
  await driver.manage().setTimeouts({ implicit: 0 });
  return {
    driver,
    home,
    async screenshot(name) {
      const png = await driver.takeScreenshot();
      const file = path.join(artifacts, `${name}.png`);
      writeFileSync(file, png, "base64");
      return file;
    },
    async close() {
      try {
        await driver.quit();
      } finally {
        driverProcess.kill();
        await reap(tag);
      }
    },
  };
}

let launches = 0;

// Pids of processes whose environment carries KESTREL_E2E_RUN=`tag` (Linux /proc).
function tagged(tag) {
  const needle = `KESTREL_E2E_RUN=${tag}\0`;
  const pids = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, "latin1").includes(needle)) pids.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}

// Gives the app two seconds to exit on its own after the session ends, then ends it.
async function reap(tag) {
  for (let i = 0; i < 20 && tagged(tag).length > 0; i++) await sleep(100);
  for (const pid of tagged(tag)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

async function waitForPort(p) {
  for (let i = 0; i < 100; i++) {
    try {
      const res = await fetch(`http://127.0.0.1:${p}/status`);
      if (res.ok) return;
    } catch {
      // not up yet
    }
    await sleep(100);
  }
  throw new Error(`tauri-driver did not start on port ${p}`);
}

// Waits until `fn` returns a truthy value, polling; returns that value.
export async function eventually(fn, what, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what} (last: ${last})`);
}

export const byTestId = (id) => By.css(`[data-testid="${id}"]`);

// Starts the LN Markets test server (tests/src/bin/lnmarkets_server.rs) with the given key,
// secret and passphrase; resolves once it prints its URLs.
export function startLnmServer(key, secret, passphrase) {
  const server = process.env.KESTREL_LNM_SERVER ?? path.resolve("../../target/debug/lnmarkets-server");
  return new Promise((resolve, reject) => {
    const child = spawn(server, ["--static", key, secret, passphrase], { stdio: ["pipe", "pipe", "inherit"] });
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

// Starts the LMEX test server (tests/src/bin/lmex_server.rs) with the given key and secret;
// resolves once it prints its URLs: `rest` is the REST mount, `ws` the main socket's URL
// (the book socket sits beside it), `control` the server root for its test routes.
export function startLmexServer(key, secret, flags = ["--static"]) {
  const server = process.env.KESTREL_LMEX_SERVER ?? path.resolve("../../target/debug/lmex-server");
  return new Promise((resolve, reject) => {
    const child = spawn(server, [...flags, key, secret], { stdio: ["pipe", "pipe", "inherit"] });
    let out = "";
    child.on("error", reject);
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const ready = /READY (\S+)/.exec(out);
      const ws = /(ws:\/\/[^\s/]+)\/ws\/futures\b/.exec(out);
      if (ready && ws) {
        const rest = ready[1];
        resolve({ process: child, rest, ws: ws[1], control: new URL(rest).origin });
      }
    });
  });
}

// Small WebDriver helpers bound to one session.
export function ui(driver) {
  const find = (id) => driver.findElement(byTestId(id));
  const findAll = (id) => driver.findElements(byTestId(id));
  return {
    find,
    findAll,
    /** Picks an instrument in the header's select by its symbol, as a user would. */
    async selectInstrument(symbol) {
      await driver.executeScript(
        `const s = document.querySelector('[data-testid="instrument-select"]');
         const o = [...s.options].find((o) => o.textContent.trim() === arguments[0]);
         s.value = o.value;
         s.dispatchEvent(new Event("change", { bubbles: true }));`,
        symbol,
      );
      await eventually(
        async () => (await (await find("instrument-select")).getAttribute("value")).endsWith(symbol),
        `${symbol} selected`,
      );
      // Its feed is live before anything is traded (the engine refuses market orders on a
      // stale price, as a trader would see in the ticket).
      await eventually(
        async () => (await (await find("venue-status")).getAttribute("data-status")) === "live",
        `${symbol}'s feed live`,
      );
    },
    async typeInto(id, text) {
      // WebKitWebDriver's clear() fires no input event, but typing after it does: the app
      // sees the whole new text.
      const el = await find(id);
      await el.clear();
      await el.sendKeys(text);
    },
    // Selects an <option> by value and tells the app, as a user's pick would.
    async choose(id, value) {
      await driver.executeScript(
        `const el = document.querySelector('[data-testid="${id}"]');
         el.value = arguments[0];
         el.dispatchEvent(new Event('change', { bubbles: true }));
         el.dispatchEvent(new Event('input', { bubbles: true }));`,
        value,
      );
    },
  };
}

// Adds an LN Markets account through Settings and waits until it is connected; returns
// its account id. Leaves the Settings dialog open.
export function addLnmAccount(driver, venue, { label, key, secret, passphrase }) {
  return addAccount(driver, venue, "ln_markets", label, { key, secret, passphrase });
}

// Adds an LMEX account through Settings (testnet, endpoints pointed at the test server)
// and waits until it is connected; returns its account id. Leaves Settings open.
export function addLmexAccount(driver, venue, { label, key, secret }) {
  return addAccount(driver, venue, "lmex", label, { key, secret });
}

async function addAccount(driver, venue, venueId, label, fields) {
  const { find, findAll, typeInto, choose } = ui(driver);
  await eventually(async () => (await findAll("open-settings")).length === 1, "the main window");
  await (await find("open-settings")).click();
  await eventually(async () => (await findAll("settings-dialog")).length === 1, "the Settings dialog");
  // Adding waits for the startup keychain probe.
  await eventually(async () => await (await find("add-account")).isEnabled(), "Add account enabled (a usable keychain)");
  await (await find("add-account")).click();
  await eventually(async () => (await findAll("account-form")).length === 1, "the account form");
  await choose("field-venue", venueId);
  await typeInto("field-label", label);
  await choose("field-network", "testnet");
  for (const [name, value] of Object.entries(fields)) await typeInto(`field-${name}`, value);
  await (await find("toggle-advanced")).click();
  await typeInto("field-rest_url", venue.rest);
  await typeInto("field-ws_url", venue.ws);
  await (await find("save-account")).click();
  // Read from the DOM: WebKitWebDriver's getText on these rows has returned stale text.
  try {
    return await eventually(
      () =>
        driver.executeScript(
          `const row = [...document.querySelectorAll('[data-testid="account-row"]')].find(
             (r) => r.dataset.state === "connected" && r.textContent.includes(arguments[0]));
           return row ? row.dataset.accountId : null;`,
          label,
        ),
      `${label} connected`,
      20000,
    );
  } catch (e) {
    // What the dialog shows instead, for the failure report.
    const seen = await driver.executeScript(
      `return JSON.stringify({
         rows: [...document.querySelectorAll('[data-testid="account-row"]')].map((r) => [r.dataset.state, r.textContent.trim().slice(0, 120)]),
         form: document.querySelector('[data-testid="account-form"]')?.textContent.trim().slice(0, 400) ?? null });`,
    );
    throw new Error(`${e.message}; the dialog shows ${seen}`);
  }
}
