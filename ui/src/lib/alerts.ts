// Fills and rejections, told besides the toast: a desktop notification when the trader is
// looking at another window, and a short tone (higher for a fill, lower for a rejection), each
// as the trader's preferences say. The side effects go through an `AlertOutlet`, so the rules
// can be tested without a webview, a notification daemon or a sound card.

export type AlertKind = "fill" | "rejection";

/** How fills and rejections are told: Rust's `Preferences`, as Settings keeps them. */
export interface AlertPreferences {
  /** A desktop notification while the terminal is not the focused window. */
  desktop_notifications: boolean;
  sounds: boolean;
}

/** Rust's defaults, for what the settings view leaves out (or before it comes). */
export const DEFAULT_PREFERENCES: AlertPreferences = { desktop_notifications: true, sounds: false };

/** The preferences as sent by Rust, with its defaults for any it left out. */
export function preferencesFrom(
  sent: { desktop_notifications?: boolean; sounds?: boolean } | undefined,
): AlertPreferences {
  return {
    desktop_notifications: sent?.desktop_notifications ?? DEFAULT_PREFERENCES.desktop_notifications,
    sounds: sent?.sounds ?? DEFAULT_PREFERENCES.sounds,
  };
}

/** What the stores tell when they toast a fill or a rejection. */
export interface AlertSink {
  alert(kind: AlertKind, title: string, detail: string | null): void;
}

/** Tells no one: for stores built without alerts (tests, previews). */
export const SILENT: AlertSink = { alert: () => undefined };

/** The tone for each kind: a short high beep for a fill, a longer low one for a rejection. */
export const TONES: Record<AlertKind, { frequencyHz: number; durationMs: number }> = {
  fill: { frequencyHz: 880, durationMs: 120 },
  rejection: { frequencyHz: 220, durationMs: 250 },
};

/** Where alerts go: the window, the OS's notifications, the speakers. */
export interface AlertOutlet {
  /** Whether the terminal's window has focus: then the toast is enough. */
  focused(): boolean;
  /** Whether desktop notifications may be shown, asking the OS if it has not been asked. */
  permitted(): Promise<boolean>;
  notify(title: string, body: string | null): void;
  tone(kind: AlertKind): void;
}

export class Alerts implements AlertSink {
  readonly #outlet: AlertOutlet;
  readonly #preferences: () => AlertPreferences;
  /** The OS is asked once; its answer stands for the session. */
  #permission: Promise<boolean> | null = null;

  constructor(outlet: AlertOutlet, preferences: () => AlertPreferences) {
    this.#outlet = outlet;
    this.#preferences = preferences;
  }

  alert(kind: AlertKind, title: string, detail: string | null): void {
    void this.send(kind, title, detail);
  }

  /** `alert`, resolving once the notification is sent or passed over. */
  async send(kind: AlertKind, title: string, detail: string | null): Promise<void> {
    const preferences = this.#preferences();
    if (preferences.sounds) this.#outlet.tone(kind);
    if (!preferences.desktop_notifications || this.#outlet.focused()) return;
    this.#permission ??= this.#outlet.permitted().catch(() => false);
    if (await this.#permission) this.#outlet.notify(title, detail);
  }
}
