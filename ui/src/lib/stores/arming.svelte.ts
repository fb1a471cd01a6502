// Whether one-click trading and the trading hotkeys are armed. Off at every start and never
// persisted: a terminal must not come back up ready to send orders on a key press.
//
// Besides the reactive `armed`, every change is announced as a window event (ARM_EVENT, with
// `detail.armed`), so a panel that is not a Svelte reader — the chart — can listen for it.

export const ARM_EVENT = "kestrel:arm";

export interface ArmDetail {
  armed: boolean;
}

export class Arming {
  armed = $state(false);

  set(armed: boolean): void {
    if (armed === this.armed) return;
    this.armed = armed;
    if (typeof window !== "undefined") {
      window.dispatchEvent(new CustomEvent<ArmDetail>(ARM_EVENT, { detail: { armed } }));
    }
  }

  toggle(): void {
    this.set(!this.armed);
  }
}

/** The app's one arming switch, shared by the hotkeys, the ladder and the chart. */
export const arming = new Arming();
