// The relayed inference routes: each POST goes through the relay in the route's own protocol.
import { anthropic, openai, openaiResponses } from "../relay/protocols.ts";
import type { createRelay, RouteSpec } from "../relay/relay.ts";
import type { RouteTable } from "./table.ts";

export const RELAYED: readonly RouteSpec[] = [
  { path: "/v1/chat/completions", protocol: openai, arrays: ["messages"] },
  { path: "/v1/messages", protocol: anthropic, arrays: ["messages"] },
  { path: "/v1/messages/count_tokens", protocol: anthropic, arrays: ["messages"] },
  { path: "/v1/responses", protocol: openaiResponses, arrays: [] },
];

export function registerRelayRoutes(routes: RouteTable, relay: ReturnType<typeof createRelay>): void {
  for (const route of RELAYED) {
    routes.post(route.path, (c) => relay(route, c.req.raw, c.env.waitUntil, c.env.clientAddress), route.protocol);
  }
}
