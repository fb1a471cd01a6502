import { describe, expect, it, vi } from "vitest";
import { Alerts, TONES, preferencesFrom, type AlertOutlet, type AlertPreferences } from "./alerts";

function setup(preferences: AlertPreferences, over: Partial<AlertOutlet> = {}) {
  const outlet = {
    focused: vi.fn(() => false),
    permitted: vi.fn(() => Promise.resolve(true)),
    notify: vi.fn(),
    tone: vi.fn(),
    ...over,
  };
  const prefs = { current: preferences };
  return { outlet, prefs, alerts: new Alerts(outlet, () => prefs.current) };
}

describe("Alerts", () => {
  it("notifies the desktop of a fill while the window is in the background", async () => {
    const { alerts, outlet } = setup({ desktop_notifications: true, sounds: false });
    await alerts.send("fill", "Bought 0.010 BTC BTC-PERP", "@ 91,250.5 · fee 0.45");
    expect(outlet.notify).toHaveBeenCalledExactlyOnceWith(
      "Bought 0.010 BTC BTC-PERP",
      "@ 91,250.5 · fee 0.45",
    );
    expect(outlet.tone).not.toHaveBeenCalled();
  });

  it("leaves it to the toast while the window has focus", async () => {
    const { alerts, outlet } = setup(
      { desktop_notifications: true, sounds: false },
      { focused: () => true },
    );
    await alerts.send("rejection", "Order rejected", "margin");
    expect(outlet.notify).not.toHaveBeenCalled();
    expect(outlet.permitted).not.toHaveBeenCalled();
  });

  it("asks the OS for permission once, and respects a refusal", async () => {
    const { alerts, outlet } = setup(
      { desktop_notifications: true, sounds: false },
      { permitted: vi.fn(() => Promise.resolve(false)) },
    );
    await alerts.send("fill", "a", null);
    await alerts.send("fill", "b", null);
    expect(outlet.permitted).toHaveBeenCalledTimes(1);
    expect(outlet.notify).not.toHaveBeenCalled();
  });

  it("treats a failed permission check as a refusal", async () => {
    const { alerts, outlet } = setup(
      { desktop_notifications: true, sounds: false },
      { permitted: () => Promise.reject(new Error("no plugin")) },
    );
    await alerts.send("fill", "a", null);
    expect(outlet.notify).not.toHaveBeenCalled();
  });

  it("plays the kind's tone when sounds are on, focused or not, and nothing else when off", async () => {
    const { alerts, outlet, prefs } = setup(
      { desktop_notifications: false, sounds: true },
      { focused: () => true },
    );
    await alerts.send("fill", "a", null);
    await alerts.send("rejection", "b", null);
    expect(outlet.tone).toHaveBeenNthCalledWith(1, "fill");
    expect(outlet.tone).toHaveBeenNthCalledWith(2, "rejection");
    expect(outlet.notify).not.toHaveBeenCalled();
    // Preferences are read as each alert fires.
    prefs.current = { desktop_notifications: false, sounds: false };
    await alerts.send("fill", "c", null);
    expect(outlet.tone).toHaveBeenCalledTimes(2);
  });

  it("sounds higher for a fill than for a rejection", () => {
    expect(TONES.fill.frequencyHz).toBeGreaterThan(TONES.rejection.frequencyHz);
  });

  it("takes Rust's defaults for preferences it did not send", () => {
    expect(preferencesFrom(undefined)).toEqual({ desktop_notifications: true, sounds: false });
    expect(preferencesFrom({ sounds: true })).toEqual({
      desktop_notifications: true,
      sounds: true,
    });
    expect(preferencesFrom({ desktop_notifications: false, sounds: false })).toEqual({
      desktop_notifications: false,
      sounds: false,
    });
  });
});
