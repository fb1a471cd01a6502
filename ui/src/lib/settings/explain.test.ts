import { describe, expect, it } from "vitest";
import type { AppError, ErrorCode } from "../bindings/bindings";
import { balance } from "../../test/fixtures";
import { balanceText, explainError, lastBalance, statusText } from "./explain";

function appError(code: ErrorCode, over: Partial<AppError> = {}): AppError {
  return {
    code,
    message: "venue said no",
    retryable: false,
    venue_code: "E1",
    field: null,
    retry_after_ms: null,
    ...over,
  };
}

describe("explainError", () => {
  const cases: { error: AppError; expected: string }[] = [
    {
      error: appError("auth_rejected"),
      expected: "The venue rejected the key, secret or passphrase: venue said no (venue code E1)",
    },
    {
      error: appError("clock_skew", { venue_code: null }),
      expected: "Your computer's clock is off; sync it and try again: venue said no",
    },
    {
      error: appError("rate_limited", { retry_after_ms: 2500 }),
      expected: "Too many requests — wait 3s: venue said no (venue code E1)",
    },
    {
      error: appError("rate_limited"),
      expected: "Too many requests — wait a moment: venue said no (venue code E1)",
    },
    {
      error: appError("network", { message: "connection refused", venue_code: null }),
      expected: "Could not reach the venue: connection refused",
    },
    {
      error: appError("internal", { message: "bridge down", venue_code: null }),
      expected: "bridge down",
    },
  ];
  for (const [i, c] of cases.entries()) {
    it(`says what ${c.error.code} means, then what the venue said (case ${String(i)})`, () => {
      expect(explainError(c.error)).toBe(c.expected);
    });
  }
});

describe("statusText", () => {
  it("names each state, and a failure with the venue's code", () => {
    expect(statusText({ state: "connected", error: null })).toBe("Connected");
    expect(statusText({ state: "connecting", error: null })).toBe("Connecting…");
    expect(statusText({ state: "unsupported", error: null })).toBe("Not supported yet");
    expect(statusText({ state: "failed", error: appError("auth_rejected") })).toBe(
      "Failed: venue said no (venue code E1)",
    );
  });
});

describe("balanceText", () => {
  it("groups thousands and keeps every decimal the venue sent", () => {
    expect(balanceText(balance())).toBe("Balance 1,234,567 sats");
    expect(balanceText(balance({ currency: "SAT" }))).toBe("Balance 1,234,567 sats");
    expect(balanceText(balance({ currency: "USDT", wallet: "10250.1200" }))).toBe(
      "Balance 10,250.1200 USDT",
    );
    expect(balanceText(balance({ currency: "BTC", wallet: "n/a" }))).toBe("Balance n/a BTC");
    expect(balanceText(balance({ currency: "BTC", wallet: "0.10000000" }))).toBe(
      "Balance 10,000,000 sats (0.10000000 BTC)",
    );
    expect(balanceText(balance({ currency: "BTC", wallet: "0.01234567" }))).toBe(
      "Balance 1,234,567 sats (0.01234567 BTC)",
    );
  });
});

describe("lastBalance", () => {
  const older = balance({ wallet: "1" });
  const newer = balance({ wallet: "2" });
  it("shows whichever check is newer: the user's test or Rust's own", () => {
    expect(lastBalance({ balance: older, checked_at: 10 }, { balance: newer, at: 20 })).toEqual({
      balance: newer,
      at: 20,
    });
    expect(lastBalance({ balance: newer, checked_at: 30 }, { balance: older, at: 20 })).toEqual({
      balance: newer,
      at: 30,
    });
    expect(lastBalance({ balance: null, checked_at: null }, null)).toBeNull();
    expect(lastBalance({ balance: older, checked_at: null }, null)).toEqual({
      balance: older,
      at: null,
    });
  });
});
