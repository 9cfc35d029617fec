// Scenarios 5 and 7: per-call overhead in one process, with an in-memory upstream (no sockets).
import { createBasetenClient, type ManagementPaths } from "@baseten-edge/core";
import { createEmulator } from "@baseten-edge/emulator";
import { createGateway, memoryStore } from "@baseten-edge/gateway";
import createClient from "openapi-fetch";
import { checkingRelay } from "../checking-relay.ts";
import { type Row, verdict } from "../report.ts";
import type { Settings } from "../settings.ts";
import { elapsedMs, fmtSummary, interleave, paired, summarize } from "../stats.ts";

type Handler = () => Promise<Response>;

/** Microseconds per call of `handler`, its answer read to the end, over `count` calls. */
async function microsPerCall(handler: Handler, count: number): Promise<number> {
  const ms = await elapsedMs(async () => {
    for (let i = 0; i < count; i++) await (await handler()).arrayBuffer();
  });
  return (ms * 1000) / count;
}

/**
 * An upstream that answers from memory: the emulator's answer to the first call of each
 * method + URL, replayed from bytes afterwards, so neither side pays for generating it.
 */
function recordedUpstream() {
  const emulator = createEmulator({ models: 1_000 });
  const recorded = new Map<string, { status: number; headers: [string, string][]; body: ArrayBuffer }>();
  return async (request: Request): Promise<Response> => {
    const key = `${request.method} ${request.url}`;
    let entry = recorded.get(key);
    if (!entry) {
      const response = await emulator.fetch(request);
      entry = { status: response.status, headers: [...response.headers], body: await response.arrayBuffer() };
      recorded.set(key, entry);
    } else if (request.body) {
      await request.arrayBuffer();
    }
    return new Response(entry.body, { status: entry.status, headers: entry.headers });
  };
}

/** A pass-through gateway in this process whose Baseten is `upstream` (nothing goes over a socket). */
export function inProcessGateway(upstream: (request: Request) => Promise<Response>) {
  return createGateway({
    auth: { mode: "pass-through" },
    cacheSalt: "bench-cache-salt-not-a-secret",
    stores: [memoryStore()],
    managementUrl: "http://upstream",
    inferenceUrl: "http://upstream",
    freshSeconds: 3600,
    fetch: upstream,
  });
}

/**
 * 5: gateway.fetch in process vs its same-process limit: for the relay a one-line proxy
 * (`upstream(new Request(url, request))`; a minimal checking proxy beside it, for reference), for a
 * catalog hit a handler answering the same bytes and headers from a constant.
 */
export async function gatewayOverhead(settings: Settings): Promise<Row[]> {
  const upstream = recordedUpstream();
  const gateway = inProcessGateway(upstream);
  const headers = { authorization: "Bearer emulator-key", "content-type": "application/json" };
  const body = JSON.stringify({ model: "openai/gpt-oss-120b", messages: [{ role: "user", content: "bench" }] });
  const chat = () => new Request("http://gateway/v1/chat/completions", { method: "POST", headers, body });
  const catalog = () => new Request("http://gateway/v1/model_apis?limit=100", { headers });
  const waitUntil = { waitUntil: (promise: Promise<unknown>) => void promise.catch(() => {}) };
  const count = settings.quick ? 300 : 3_000;
  // First calls fill the caches (model list, catalog) before anything is timed.
  for (let i = 0; i < 3; i++) {
    await (await gateway.fetch(chat(), waitUntil)).arrayBuffer();
    await (await gateway.fetch(catalog(), waitUntil)).arrayBuffer();
  }
  const hit = await gateway.fetch(catalog(), waitUntil);
  const constant = { body: await hit.arrayBuffer(), headers: [...hit.headers] };
  const checking = checkingRelay(upstream, "http://upstream");
  const cases: Record<string, { subject: Handler; baseline: Handler; reference?: Handler; label: string }> = {
    relay: {
      subject: () => gateway.fetch(chat(), waitUntil),
      baseline: () => {
        const request = chat();
        return upstream(new Request(`http://upstream${new URL(request.url).pathname}`, request));
      },
      reference: () => checking(chat()),
      label: "one-line proxy: upstream(new Request(url, request))",
    },
    catalog: {
      subject: () => gateway.fetch(catalog(), waitUntil),
      baseline: async () => {
        catalog();
        return new Response(constant.body, { headers: constant.headers });
      },
      label: "handler answering the same bytes and headers from a constant",
    },
  };
  const rows: Row[] = [];
  for (const [name, { subject, baseline, reference, label }] of Object.entries(cases)) {
    const status = (await subject()).status;
    if (status !== 200) throw new Error(`gateway.fetch (${name}) answered ${status}`);
    const variants: Record<string, () => Promise<number>> = {
      subject: () => microsPerCall(subject, count),
      baseline: () => microsPerCall(baseline, count),
    };
    if (reference) variants.reference = () => microsPerCall(reference, count);
    const runs = (await interleave(settings.rounds, variants)) as Record<"subject" | "baseline", number[]> & {
      reference?: number[];
    };
    const added = paired(runs.subject, runs.baseline, (a, b) => a - b);
    // For information: what the minimal checking proxy adds over the one-line proxy, and the gateway over it.
    const checked = runs.reference && {
      over: paired(runs.reference, runs.baseline, (a, b) => a - b),
      gateway: paired(runs.subject, runs.reference, (a, b) => a - b),
    };
    const checkedNote = checked
      ? ` (a minimal checking proxy, reading the body for its model and the answer for its usage: +${fmtSummary(checked.over, 1, " µs")} over the one-line proxy; the gateway +${fmtSummary(checked.gateway, 1, " µs")} over it)`
      : "";
    rows.push({
      id: name === "relay" ? "5a" : "5b",
      scenario:
        name === "relay"
          ? `gateway.fetch in process: relayed chat completion (JSON)${checkedNote}`
          : "gateway.fetch in process: catalog page from memory",
      baseline: label,
      measured: `+${fmtSummary(added, 1, " µs")} per request`,
      reference: `${fmtSummary(summarize(runs.baseline), 1, " µs")}`,
      target: "≤ 50 µs added per request",
      verdict: verdict(added.median <= 50),
      raw: { subjectUs: runs.subject, baselineUs: runs.baseline, referenceUs: runs.reference, callsPerRound: count },
    });
  }
  return rows;
}

/** 7: one core call vs the same call made with openapi-fetch directly, on a stubbed fetch. */
export async function coreCallOverhead(settings: Settings): Promise<Row[]> {
  const row = JSON.stringify(
    await (
      await createEmulator().fetch("http://emulator/v1/model_apis/gpt-oss-120b", {
        headers: { authorization: "Bearer emulator-key" },
      })
    ).json(),
  );
  const stub = async (_request: Request) =>
    new Response(row, { status: 200, headers: { "content-type": "application/json" } });
  const core = createBasetenClient({ apiKey: "emulator-key", baseUrl: "http://stub", fetch: stub });
  const raw = createClient<ManagementPaths>({
    baseUrl: "http://stub",
    fetch: stub,
    headers: { authorization: "Bearer emulator-key" },
  });
  const count = settings.quick ? 2_000 : 20_000;
  const opsPerSecond = async (call: () => Promise<unknown>) =>
    count /
    ((await elapsedMs(async () => {
      for (let i = 0; i < count; i++) await call();
    })) /
      1000);
  const coreCall = () => core.modelApis.get("gpt-oss-120b");
  const rawCall = async () => {
    const { data, error } = await raw.GET("/v1/model_apis/{model_api_name}", {
      params: { path: { model_api_name: "gpt-oss-120b" } },
    });
    if (error !== undefined || data === undefined) throw new Error("the stub answered an error");
    return data;
  };
  const runs = await interleave(settings.rounds, {
    core: () => opsPerSecond(coreCall),
    raw: () => opsPerSecond(rawCall),
  });
  const ratio = paired(runs.core, runs.raw, (a, b) => a / b);
  return [
    {
      id: "7",
      scenario: "core: one call (modelApis.get) on a stubbed fetch",
      baseline: "openapi-fetch GET on the same stub",
      measured: `${fmtSummary(summarize(runs.core), 0)} ops/s = ${fmtSummary(ratio)}×`,
      reference: `${fmtSummary(summarize(runs.raw), 0)} ops/s`,
      target: "≥ 0.95× ops/s",
      verdict: verdict(ratio.median >= 0.95),
      raw: { coreOpsPerSecond: runs.core, rawOpsPerSecond: runs.raw, callsPerRound: count },
    },
  ];
}
