import { describe, expect, it, vi } from "vitest";
import type { AppError, Candle, Timeframe } from "../bindings/bindings";
import { BTC, ETH, candle, frame, trade } from "../../test/fixtures";
import type { CandleChange } from "./candles";
import {
  HISTORY_PAGE,
  MarketStore,
  TAPE_LENGTH,
  prependTrades,
  type FetchCandles,
} from "./market.svelte";
import type { Result } from "../ipc/result";

function ok<T>(data: T): Result<T, AppError> {
  return { status: "ok", data };
}

function storeWith(fetch: FetchCandles = () => Promise.resolve(ok<Candle[]>([]))) {
  const market = new MarketStore(fetch);
  const bars: [Timeframe, number, CandleChange][] = [];
  const resets: Timeframe[] = [];
  market.listen({
    bar: (tf, c, change) => bars.push([tf, c.open_time, change]),
    reset: (tf) => resets.push(tf),
  });
  market.reset(BTC);
  resets.length = 0;
  return { market, bars, resets };
}

describe("applying frames", () => {
  it("appends new bars and updates the last one in place", () => {
    const { market, bars } = storeWith();
    market.applyFrame(frame({ candles: [{ timeframe: "1m", candle: candle(10, "100") }] }));
    market.applyFrame(frame({ candles: [{ timeframe: "1m", candle: candle(10, "101") }] }));
    market.applyFrame(frame({ candles: [{ timeframe: "1m", candle: candle(11, "102") }] }));
    expect(bars).toEqual([
      ["1m", 600_000, "append"],
      ["1m", 600_000, "update-last"],
      ["1m", 660_000, "append"],
    ]);
    const s = market.series("1m");
    expect(s.length).toBe(2);
    expect(s.latest?.close).toBe("102");
  });

  it("keeps each timeframe apart and skips bars that did not change", () => {
    const { market, bars } = storeWith();
    const c = candle(0, "100");
    market.applyFrame(
      frame({
        candles: [
          { timeframe: "1m", candle: c },
          { timeframe: "5m", candle: c },
        ],
      }),
    );
    market.applyFrame(frame({ candles: [{ timeframe: "1m", candle: { ...c } }] }));
    expect(bars.map(([tf]) => tf)).toEqual(["1m", "5m"]);
    expect(market.series("5m").length).toBe(1);
    expect(market.series("1h").length).toBe(0);
  });

  it("takes the latest ticker, book and status, keeping the old ones when absent", () => {
    const { market } = storeWith();
    const book = {
      bids: [{ price: "99.5", size: "1" }],
      asks: [{ price: "100", size: "2" }],
      status: "live" as const,
      sequence: 7,
    };
    const ticker = {
      instrument: BTC,
      last: "100",
      bid: "99.5",
      ask: "100",
      mark: "99.8",
      index: null,
      funding_rate: "0.0001",
      next_funding_at: null,
      volume_24h: null,
      ts: 5,
    };
    market.applyFrame(frame({ book, ticker, status: "live" }));
    market.applyFrame(frame({ frame: 2, status: "resyncing" }));
    expect(market.book).toEqual(book);
    expect(market.ticker).toEqual(ticker);
    expect(market.status).toBe("resyncing");
    expect(market.lastFrame).toBe(2);
  });

  it("keeps the tape newest first and capped", () => {
    const { market } = storeWith();
    const prints = Array.from({ length: 40 }, (_, i) => trade(`t${String(i)}`));
    market.applyFrame(frame({ trades: prints }));
    market.applyFrame(frame({ trades: prints.map((t) => ({ ...t, trade_id: `u${t.trade_id}` })) }));
    expect(market.trades).toHaveLength(TAPE_LENGTH);
    expect(market.trades[0]?.trade_id).toBe("ut39");
    expect(market.trades[39]?.trade_id).toBe("ut0");
    expect(market.trades[40]?.trade_id).toBe("t39");
  });

  it("ignores frames for another instrument", () => {
    const { market } = storeWith();
    market.applyFrame(frame({ instrument: ETH, trades: [trade("x")] }));
    expect(market.trades).toEqual([]);
    expect(market.lastFrame).toBe(0);
  });
});

describe("prependTrades", () => {
  it("drops prints already on the tape", () => {
    const tape = prependTrades([trade("a")], [trade("a"), trade("b")], 10);
    expect(tape.map((t) => t.trade_id)).toEqual(["b", "a"]);
  });
});

describe("history", () => {
  it("loads the first page once, merging with live bars, then pages back", async () => {
    const fetch = vi.fn<FetchCandles>((_i, _tf, before) =>
      Promise.resolve(
        ok(
          before === null
            ? [candle(8, "90"), candle(9, "91"), candle(10, "stale")]
            : [candle(7, "89")],
        ),
      ),
    );
    const { market, resets } = storeWith(fetch);
    market.applyFrame(frame({ candles: [{ timeframe: "1m", candle: candle(10, "live") }] }));

    await Promise.all([market.loadHistory("1m"), market.loadHistory("1m")]);
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(fetch).toHaveBeenCalledWith(BTC, "1m", null, HISTORY_PAGE);
    const s = market.series("1m");
    expect(s.bars.map((c) => c.close)).toEqual(["90", "91", "live"]);
    expect(resets).toEqual(["1m"]);

    await market.loadOlder("1m");
    expect(fetch).toHaveBeenLastCalledWith(BTC, "1m", 8 * 60_000, HISTORY_PAGE);
    expect(s.oldest?.close).toBe("89");
    expect(s.length).toBe(4);
  });

  it("does not ask twice while a page is in flight, and stops when nothing older comes", async () => {
    let release: (v: Result<Candle[], AppError>) => void = () => undefined;
    const fetch = vi.fn<FetchCandles>((_i, _tf, before) =>
      before === null
        ? Promise.resolve(ok([candle(5, "1")]))
        : new Promise((resolve) => {
            release = resolve;
          }),
    );
    const { market } = storeWith(fetch);
    await market.loadHistory("5m");
    const first = market.loadOlder("5m");
    const second = market.loadOlder("5m");
    expect(market.isLoading("5m")).toBe(true);
    release(ok([]));
    await Promise.all([first, second]);
    expect(fetch).toHaveBeenCalledTimes(2);
    expect(market.series("5m").exhausted).toBe(true);
    await market.loadOlder("5m");
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it("drops a page that arrives after the instrument changed", async () => {
    let release: (v: Result<Candle[], AppError>) => void = () => undefined;
    const fetch: FetchCandles = () =>
      new Promise((resolve) => {
        release = resolve;
      });
    const { market } = storeWith(fetch);
    const loading = market.loadHistory("1m");
    market.reset(ETH);
    release(ok([candle(1, "1")]));
    await loading;
    expect(market.series("1m").length).toBe(0);
    expect(market.series("1m").loaded).toBe(false);
  });

  it("reports a failed page", async () => {
    const fetch: FetchCandles = () =>
      Promise.resolve({
        status: "error",
        error: {
          code: "network",
          message: "venue unreachable",
          retryable: true,
          venue_code: null,
          field: null,
          retry_after_ms: null,
        },
      });
    const { market } = storeWith(fetch);
    await market.loadHistory("1h");
    expect(market.historyError).toBe("venue unreachable");
    expect(market.series("1h").loaded).toBe(false);
  });
});

describe("weekly and monthly candles", () => {
  const WEEK = 7 * 24 * 60; // minutes
  // 2025-03-10 and 2025-03-17, Mondays 00:00 UTC.
  const monday = Date.parse("2025-03-10T00:00:00Z") / 60_000;

  it("keeps live 1w bars apart from the others, updating the week in progress", () => {
    const { market, bars } = storeWith();
    market.applyFrame(frame({ candles: [{ timeframe: "1w", candle: candle(monday, "100") }] }));
    market.applyFrame(frame({ candles: [{ timeframe: "1w", candle: candle(monday, "105") }] }));
    market.applyFrame(
      frame({ candles: [{ timeframe: "1w", candle: candle(monday + WEEK, "110") }] }),
    );
    expect(bars).toEqual([
      ["1w", monday * 60_000, "append"],
      ["1w", monday * 60_000, "update-last"],
      ["1w", (monday + WEEK) * 60_000, "append"],
    ]);
    expect(market.series("1w").bars.map((c) => c.close)).toEqual(["105", "110"]);
    expect(market.series("1d").length).toBe(0);
  });

  it("asks for 1month history and forgets it with the rest on a reset", async () => {
    const fetch = vi.fn<FetchCandles>(() => Promise.resolve(ok([candle(monday, "100")])));
    const { market, resets } = storeWith(fetch);
    await market.loadHistory("1month");
    expect(fetch).toHaveBeenCalledWith(BTC, "1month", null, HISTORY_PAGE);
    expect(market.series("1month").length).toBe(1);
    expect(resets).toEqual(["1month"]);
    market.reset(ETH);
    expect(market.series("1month").length).toBe(0);
    expect(resets).toContain("3months");
  });
});
