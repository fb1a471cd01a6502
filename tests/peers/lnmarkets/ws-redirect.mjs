// The real `ws` WebSocket, sent to `globalThis.LNM_STREAM_URL` (set by the test once our
// server is up) instead of wss://stream.lnmarkets.com/v1. Everything else is the library's.
import WebSocket from "ws";

export default class RedirectedWebSocket extends WebSocket {
  constructor(url, ...rest) {
    const target = globalThis.LNM_STREAM_URL;
    if (!target) throw new Error("LNM_STREAM_URL is not set");
    globalThis.LNM_STREAM_SEEN = String(url);
    super(target, ...rest);
  }
}
