// Module hook: when the LN Markets SDK imports `ws`, it gets ws-redirect.mjs instead, a
// WebSocket that connects to our server. The SDK only knows the real stream hosts; this is
// the stream's counterpart of pointing its fetch at 127.0.0.1.
export async function resolve(specifier, context, next) {
  if (specifier === "ws" && context.parentURL?.includes("/@ln-markets/sdk/")) {
    return next(new URL("./ws-redirect.mjs", import.meta.url).href, context);
  }
  return next(specifier, context);
}
