// Stands in for the Node-only `ws` package in the browser bundle: AWS's
// SignalingClient falls back to require('ws') only when there is no global
// WebSocket, which never happens in a browser.
export default globalThis.WebSocket;
