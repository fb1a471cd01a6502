// A server-push stream over a Tauri Channel, closed by unsubscribing.

import { Channel } from "@tauri-apps/api/core";
import type { AppError, SubscriptionId } from "../bindings/bindings";
import { settle } from "./result";
import type { Result } from "./result";

/** An open stream; `close` stops delivery at once and unsubscribes in the background. */
export interface Stream {
  readonly subscription: SubscriptionId;
  close(): Promise<void>;
}

/**
 * Opens a Channel that hands every message to `onMessage` until closed, and subscribes it
 * with `subscribe`; `unsubscribe` is called on close.
 */
export async function openStream<T>(
  onMessage: (message: T) => void,
  subscribe: (channel: Channel<T>) => Promise<Result<SubscriptionId, AppError>>,
  unsubscribe: (subscription: SubscriptionId) => Promise<Result<null, AppError>>,
): Promise<Result<Stream, AppError>> {
  let open = true;
  const channel = new Channel<T>((message) => {
    if (open) onMessage(message);
  });
  const subscribed = await settle(() => subscribe(channel));
  if (subscribed.status === "error") {
    open = false;
    return subscribed;
  }
  const subscription = subscribed.data;
  return {
    status: "ok",
    data: {
      subscription,
      async close() {
        if (!open) return;
        open = false;
        const done = await settle(() => unsubscribe(subscription));
        if (done.status === "error") {
          console.warn(`unsubscribe ${String(subscription)} failed: ${done.error.message}`);
        }
      },
    },
  };
}
