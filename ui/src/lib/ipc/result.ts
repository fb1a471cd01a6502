// Every IPC call settles to a Result whose error is an AppError, whatever went wrong:
// a backend error, an ACL refusal (a bare string) or a failure inside the IPC bridge.

import type { AppError } from "../bindings/bindings";

/** What every IPC call settles to (the shape tauri-specta's commands return). */
export type Result<T, E> = { status: "ok"; data: T } | { status: "error"; error: E };

function isAppError(value: unknown): value is AppError {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v["code"] === "string" && typeof v["message"] === "string";
}

/** An AppError of code "internal" for failures that did not come from the backend. */
export function internalError(message: string): AppError {
  const error = {
    code: "internal",
    message,
    retryable: false,
    venue_code: null,
    field: null,
    retry_after_ms: null,
  };
  return error as AppError;
}

/** Whatever an IPC call failed with, as an AppError. */
export function toAppError(e: unknown): AppError {
  if (isAppError(e)) return e;
  if (e instanceof Error) return internalError(e.message);
  if (typeof e === "string") return internalError(e);
  return internalError("unexpected error from the backend");
}

/** Runs a generated command, turning thrown errors and odd error payloads into AppErrors. */
export async function settle<T>(
  call: () => Promise<Result<T, AppError>>,
): Promise<Result<T, AppError>> {
  try {
    const result = await call();
    return result.status === "ok" ? result : { status: "error", error: toAppError(result.error) };
  } catch (e) {
    return { status: "error", error: toAppError(e) };
  }
}

/** Like `settle`, for the commands that cannot fail in Rust (they may still fail in IPC). */
export async function settlePlain<T>(call: () => Promise<T>): Promise<Result<T, AppError>> {
  try {
    return { status: "ok", data: await call() };
  } catch (e) {
    return { status: "error", error: toAppError(e) };
  }
}

/** The message a user sees, with the venue's own code when it gave one. */
export function describeError(error: { message: string; venue_code?: string | null }): string {
  return error.venue_code ? `${error.message} (venue code ${error.venue_code})` : error.message;
}
