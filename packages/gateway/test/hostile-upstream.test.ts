// A hostile upstream: Baseten's answer carrying CORS grants, HSTS, Alt-Svc, year-long Cache-Control,
// Location, Refresh, cookies, hop-by-hop and Connection-named headers. None of them reaches the client,
// in process and through the Node entry point; the headers clients need do.
import { readFileSync } from "node:fs";
import { createEmulator, parseCassette } from "@baseten-edge/emulator";
import { startEmulatorServer } from "@baseten-edge/emulator/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGateway } from "../src/index.ts";
import { relayedResponseHeaders } from "../src/relay/response-headers.ts";
import { serve } from "../src/runtime/node.ts";
import { SALT } from "./helpers.ts";

const cassette = parseCassette(
  readFileSync(new URL("fixtures/hostile-headers.yaml", import.meta.url), "utf8"),
  "hostile-headers.yaml",
);
const ALLOWED_ORIGIN = "https://app.example";
const question = {
  model: "deepseek-ai/DeepSeek-V4-Pro",
  messages: [{ role: "user", content: "Is a banana a fruit?" }],
};

/** Headers the upstream sent that must not come back under the gateway's domain. */
const FORBIDDEN = [
  "access-control-allow-credentials",
  "cache-control",
  "location",
  "refresh",
  "strict-transport-security",
  "alt-svc",
  "set-cookie",
  "x-hop-secret",
  "x-ratelimit-hop",
  "content-security-policy",
  "via",
];

function expectFirewalled(headers: Headers, origin: string): void {
  for (const name of FORBIDDEN) expect(headers.get(name), name).toBeNull();
  // The gateway's CORS decides: the allowed origin is echoed, any other gets no grant at all.
  expect(headers.get("access-control-allow-origin")).toBe(origin === ALLOWED_ORIGIN ? ALLOWED_ORIGIN : null);
  expect(headers.get("access-control-expose-headers")).not.toBe("*");
  // A server may keep its own Keep-Alive; the upstream's never passes.
  expect(headers.get("keep-alive") ?? "").not.toContain("999");
  // What clients need passes.
  expect(headers.get("x-baseten-request-id")).toBe("54ca7019e800a218e791c91a6d5bcc39a7294");
  expect(headers.get("x-ratelimit-remaining-requests")).toBe("99");
  expect(headers.get("anthropic-ratelimit-tokens-remaining")).toBe("1000");
  expect(headers.get("retry-after")).toBe("1");
  expect(headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/); // the gateway's own
  // The upstream cannot forge the gateway's cost header.
  expect(headers.get("x-baseten-edge-cost-usd")).not.toBe("0.0000001");
}

const cases = [
  { name: "JSON answer", body: question, type: "application/json" },
  { name: "streamed answer", body: { ...question, stream: true }, type: "text/event-stream" },
];
const origins = [ALLOWED_ORIGIN, "https://evil.example"];

describe("hostile upstream headers, in process", () => {
  it.each(cases.flatMap((c) => origins.map((origin) => [c.name, origin, c] as const)))(
    "%s, Origin %s",
    async (_, origin, { body, type }) => {
      const emulator = createEmulator({ cassettes: [cassette] });
      const gateway = createGateway({
        auth: { mode: "pass-through" },
        cacheSalt: SALT,
        inferenceUrl: "http://baseten.test",
        corsOrigins: [ALLOWED_ORIGIN],
        fetch: (request, init) => emulator.fetch(request, init),
      });
      const response = await gateway.fetch(
        new Request("http://gateway.test/v1/chat/completions", {
          method: "POST",
          headers: { authorization: "Bearer emulator-key", "content-type": "application/json", origin },
          body: JSON.stringify(body),
        }),
      );
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe(type);
      expectFirewalled(response.headers, origin);
      expect(await response.text()).toContain("chatcmpl-");
    },
  );
});

describe("hostile upstream headers, through the Node entry point over HTTP", () => {
  let upstream: Awaited<ReturnType<typeof startEmulatorServer>>;
  let server: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => {
    upstream = await startEmulatorServer({ cassettes: [cassette] });
    server = await serve({
      PORT: "0",
      CACHE_SALT: SALT,
      BASETEN_INFERENCE_URL: upstream.url,
      BASETEN_MANAGEMENT_URL: upstream.url,
      CORS_ORIGINS: ALLOWED_ORIGIN,
    });
  });
  afterAll(async () => {
    await server?.close();
    await upstream?.close();
  });

  it.each(cases.flatMap((c) => origins.map((origin) => [c.name, origin, c] as const)))(
    "%s, Origin %s",
    async (_, origin, { body, type }) => {
      const response = await fetch(new URL("v1/chat/completions", server.url), {
        method: "POST",
        headers: { authorization: "Bearer emulator-key", "content-type": "application/json", origin },
        body: JSON.stringify(body),
      });
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe(type);
      expectFirewalled(response.headers, origin);
      expect(response.headers.getSetCookie()).toEqual([]);
      expect(await response.text()).toContain("chatcmpl-");
    },
  );
});

describe("relayedResponseHeaders: the Connection header", () => {
  const upstream = (connection: string) =>
    new Headers({
      connection,
      "x-ratelimit-remaining-requests": "9",
      "x-baseten-request-id": "r-1",
      "keep-alive": "timeout=5",
    });

  it("passes the allowlist on when Connection only says keep-alive or close", () => {
    for (const value of ["keep-alive", "close", " Keep-Alive "]) {
      const headers = relayedResponseHeaders(upstream(value));
      expect([...headers.keys()].sort()).toEqual(["x-baseten-request-id", "x-ratelimit-remaining-requests"]);
    }
  });

  it("drops allowlisted headers that Connection names, beside keep-alive", () => {
    const headers = relayedResponseHeaders(upstream("keep-alive, X-Ratelimit-Remaining-Requests"));
    expect([...headers.keys()]).toEqual(["x-baseten-request-id"]);
  });
});
