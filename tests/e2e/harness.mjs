// Starts tauri-driver (which drives WebKitWebDriver) and opens a WebDriver session on the
// real Kestrel binary. Needs a display: run under xvfb-run (scripts/test does).
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
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
  const env = {
    ...process.env,
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
      }
    },
  };
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
