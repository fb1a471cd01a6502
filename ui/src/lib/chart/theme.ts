// Chart colours; canvas needs literal colours, so these mirror the CSS variables in app.css.

export const CHART_COLORS = {
  background: "#0f131a",
  text: "#8b95a7",
  grid: "#1a202b",
  border: "#232a36",
  crosshair: "#5d6778",
  up: "#26a69a",
  down: "#ef5350",
  upVolume: "rgba(38, 166, 154, 0.45)",
  downVolume: "rgba(239, 83, 80, 0.45)",
  buyOrder: "#2ebd85",
  sellOrder: "#f6465d",
  stopOrder: "#f0b90b",
  unknownOrder: "#a78bfa",
  entry: "#4c9aff",
  liquidation: "#ff8c00",
} as const;
