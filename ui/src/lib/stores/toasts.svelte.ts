// Short notices in the corner: outcomes, fills, errors.

export type ToastKind = "success" | "error" | "info" | "warning";

export interface Toast {
  readonly id: number;
  readonly kind: ToastKind;
  readonly title: string;
  readonly detail: string | null;
}

/** How long each kind stays up, in ms. */
const TTL: Record<ToastKind, number> = { success: 4000, info: 5000, warning: 8000, error: 10000 };
/** Older toasts give way so the stack never hides the book and tape for long. */
const MAX_SHOWN = 4;

export class Toasts {
  items = $state.raw<Toast[]>([]);
  #next = 1;
  readonly #timers: boolean;

  /** `timers: false` keeps toasts until dismissed (for tests). */
  constructor(options: { timers?: boolean } = {}) {
    this.#timers = options.timers ?? true;
  }

  push(kind: ToastKind, title: string, detail: string | null = null): number {
    const id = this.#next++;
    const items = [...this.items, { id, kind, title, detail }];
    this.items = items.length > MAX_SHOWN ? items.slice(items.length - MAX_SHOWN) : items;
    if (this.#timers) {
      setTimeout(() => {
        this.dismiss(id);
      }, TTL[kind]);
    }
    return id;
  }

  dismiss(id: number): void {
    this.items = this.items.filter((t) => t.id !== id);
  }
}
