// Working orders and the position marked on the chart's price axis (read-only). The lines
// themselves, their labels and dragging are the HTML overlay's (TradingOverlay.svelte).

import { LineStyle, type IPriceLine, type ISeriesApi, type SeriesType } from "lightweight-charts";
import type { Order, Position } from "../bindings/bindings";
import type { InstrumentFormat } from "../format";
import { CHART_COLORS } from "./theme";

export interface LineSpec {
  key: string;
  price: number;
  color: string;
  title: string;
  style: LineStyle;
}

/** The lines for `orders` (one instrument's) and its `position`. */
export function tradingLines(
  orders: readonly Order[],
  position: Position | undefined,
  fmt: InstrumentFormat,
): LineSpec[] {
  const lines: LineSpec[] = [];
  for (const o of orders) {
    const price = o.order_type === "stop" ? o.trigger_price : o.price;
    if (price === null) continue;
    const color =
      o.status === "unknown"
        ? CHART_COLORS.unknownOrder
        : o.order_type === "stop"
          ? CHART_COLORS.stopOrder
          : o.side === "buy"
            ? CHART_COLORS.buyOrder
            : CHART_COLORS.sellOrder;
    const remaining = Number(o.size) - Number(o.filled_size);
    lines.push({
      key: `order:${o.client_order_id}`,
      price: Number(price),
      color,
      title: `${o.order_type === "stop" ? "STOP " : ""}${o.side.toUpperCase()} ${fmt.size(String(remaining))}${o.status === "unknown" ? " ?" : ""}`,
      style: o.order_type === "stop" ? LineStyle.Dashed : LineStyle.Solid,
    });
  }
  if (position !== undefined) {
    lines.push({
      key: "position:entry",
      price: Number(position.entry_price),
      color: CHART_COLORS.entry,
      title: `${position.side.toUpperCase()} ${fmt.size(position.size)}`,
      style: LineStyle.Dotted,
    });
    if (position.take_profit !== null) {
      lines.push({
        key: "position:tp",
        price: Number(position.take_profit),
        color: CHART_COLORS.takeProfit,
        title: "TP",
        style: LineStyle.Dashed,
      });
    }
    if (position.stop_loss !== null) {
      lines.push({
        key: "position:sl",
        price: Number(position.stop_loss),
        color: CHART_COLORS.stopLoss,
        title: "SL",
        style: LineStyle.Dashed,
      });
    }
    if (position.liquidation_price !== null) {
      lines.push({
        key: "position:liq",
        price: Number(position.liquidation_price),
        color: CHART_COLORS.liquidation,
        title: "LIQ",
        style: LineStyle.SparseDotted,
      });
    }
  }
  return lines;
}

/** Keeps a series' price lines equal to a list of specs, touching only what changed. */
export class PriceLines {
  readonly #series: ISeriesApi<SeriesType>;
  readonly #lines = new Map<string, { line: IPriceLine; spec: LineSpec }>();

  constructor(series: ISeriesApi<SeriesType>) {
    this.#series = series;
  }

  sync(specs: readonly LineSpec[]): void {
    const wanted = new Set(specs.map((s) => s.key));
    for (const [key, { line }] of this.#lines) {
      if (!wanted.has(key)) {
        this.#series.removePriceLine(line);
        this.#lines.delete(key);
      }
    }
    for (const spec of specs) {
      const options = {
        price: spec.price,
        color: spec.color,
        title: "",
        lineStyle: spec.style,
        lineWidth: 1 as const,
        lineVisible: false,
        axisLabelVisible: true,
      };
      const have = this.#lines.get(spec.key);
      if (have === undefined) {
        this.#lines.set(spec.key, { line: this.#series.createPriceLine(options), spec });
      } else if (
        have.spec.price !== spec.price ||
        have.spec.title !== spec.title ||
        have.spec.color !== spec.color
      ) {
        have.line.applyOptions(options);
        have.spec = spec;
      }
    }
  }
}
