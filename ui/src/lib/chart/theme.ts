// Chart colours; canvas needs literal colours, so these mirror the CSS variables in app.css.

export const CHART_COLORS = {
  background: "#0f131a",
  text: "#8b95a7",
  grid: "#1a202b",
  border: "#232a36",
  crosshair: "#5d6778",
  up: "#2ebd85",
  down: "#f6465d",
  upVolume: "rgba(46, 189, 133, 0.4)",
  downVolume: "rgba(246, 70, 93, 0.4)",
  buyOrder: "#2ebd85",
  sellOrder: "#f6465d",
  stopOrder: "#f0b90b",
  unknownOrder: "#a78bfa",
  entry: "#4c9aff",
  liquidation: "#ff8c00",
  takeProfit: "#2ebd85",
  stopLoss: "#f6465d",
} as const;
