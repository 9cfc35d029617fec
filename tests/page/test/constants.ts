// What the page suite and its stack share: keys (the emulator's public default, not secrets) and the hostile row.
export const KEY = "emulator-key";
export const GATEWAY_TOKEN = "page-suite-gateway-token";
export const HOSTILE_DESCRIPTION = `<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">`;
export const HOSTILE_NAME = `Hostile <b onmouseover="window.__pwned = 3">model</b>`;
