// Scenario 10: the CPU one hostile 10 MB body costs the gateway, in process (the worst of several shapes).
import { type Row, verdict } from "../report.ts";
import type { Settings } from "../settings.ts";
import { fmtSummary, summarize } from "../stats.ts";
import { inProcessGateway } from "./in-process.ts";

const SIZE = 10_000_000;
const KNOWN = "openai/gpt-oss-120b";

/** Bodies of about 10 MB (under the 10 MiB default limit) that are expensive to parse or to echo. */
export function hostileBodies(size = SIZE): Record<string, string> {
  const half = Math.floor((size - 60) / 2);
  const head = (model: string) => `{"model":${JSON.stringify(model)},"messages":[`;
  return {
    "nested arrays, unknown model": `{"model":"x","messages":[],"x":${"[".repeat(half)}${"]".repeat(half)}}`,
    "nested arrays, known model": `{"model":"${KNOWN}","messages":[],"x":${"[".repeat(half)}${"]".repeat(half)}}`,
    "3.3M empty objects": `${head(KNOWN)}${"{},".repeat(Math.floor((size - 60) / 3))}{}]}`,
    "5M numbers": `${head(KNOWN)}${"0,".repeat(half)}0]}`,
    "10 MB model": `{"model":"${"m".repeat(size - 40)}","messages":[]}`,
    "10 MB of escapes": `${head(KNOWN)}"${"\\n".repeat(half)}"]}`,
    "10 MB of \\u escapes": `${head(KNOWN)}"${"\\u0041".repeat(Math.floor((size - 60) / 6))}"]}`,
    "10 MB of emoji": `${head(KNOWN)}"${"😀".repeat(Math.floor((size - 60) / 4))}"]}`,
    "250k values, then a string": `${head(KNOWN)}${"0,".repeat(249_000)}"${"a".repeat(size - 600_000)}"]}`,
  };
}

/**
 * CPU milliseconds (user + system) of one `gateway.fetch` with its answer read, in this process.
 * The request is built before the clock starts: copying the body into it is the client's work.
 */
async function cpuMs(make: () => Request, call: (request: Request) => Promise<Response>): Promise<number> {
  const request = make();
  const before = process.cpuUsage();
  await (await call(request)).arrayBuffer();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

/** The shapes that are valid JSON within the limits: forwarded like a real request (the bench's upstream answers 400). */
const FORWARDED = new Set(["10 MB of escapes", "10 MB of \\u escapes", "10 MB of emoji", "250k values, then a string"]);

export async function hostileBodyCpu(settings: Settings): Promise<Row[]> {
  const models = { object: "list", data: [{ id: KNOWN, object: "model" }] };
  // The upstream answers at once without reading the body: only the gateway's own work is counted.
  const upstream = async (request: Request) =>
    request.url.endsWith("/v1/models")
      ? Response.json(models)
      : Response.json({ error: { message: "never mind", type: "invalid_request_error" } }, { status: 400 });
  const gateway = inProcessGateway(upstream);
  const waitUntil = { waitUntil: (promise: Promise<unknown>) => void promise.catch(() => {}) };
  const make = (body: string | Uint8Array<ArrayBuffer>) => () =>
    new Request("http://gateway/v1/chat/completions", {
      method: "POST",
      headers: { authorization: "Bearer bench-key", "content-type": "application/json" },
      body,
    });
  const call = (request: Request) => gateway.fetch(request, waitUntil);
  // Learn the model list first, so a known model is relayed and an unknown one refused.
  await (await call(make(JSON.stringify({ model: KNOWN, messages: [] }))())).arrayBuffer();
  await new Promise((resolve) => setTimeout(resolve, 50));
  const rounds = settings.quick ? 3 : settings.rounds;
  const perShape: Record<string, number[]> = {};
  const statuses: Record<string, number> = {};
  for (const [name, text] of Object.entries(hostileBodies())) {
    const bytes = new TextEncoder().encode(text);
    statuses[name] = (await call(make(bytes)())).status; // warm-up
    perShape[name] = [];
    for (let round = 0; round < rounds; round++) perShape[name].push(await cpuMs(make(bytes), call));
  }
  // The baseline: a legitimate body of the same size (one long message of mixed text), same path.
  const legitimate = new TextEncoder().encode(
    `${JSON.stringify({ model: KNOWN, messages: [{ role: "user", content: "héllo wörld, ".repeat(Math.floor(SIZE / 15)) }] })}`,
  );
  await (await call(make(legitimate)())).arrayBuffer();
  const baseline: number[] = [];
  for (let round = 0; round < rounds; round++) baseline.push(await cpuMs(make(legitimate), call));
  const medians = Object.entries(perShape).map(([name, values]) => [name, summarize(values)] as const);
  const legit = summarize(baseline);
  console.error(`  legitimate 10 MB body: ${fmtSummary(legit, 1, " ms")} CPU`);
  for (const [name, summary] of medians)
    console.error(`  ${name}: ${fmtSummary(summary, 1, " ms")} CPU, ${statuses[name]}`);
  // Refused bodies (4xx here) cost only the gateway's checks; valid ones are forwarded, like the baseline.
  const row = (id: string, what: string, refused: boolean): Row => {
    const shapes = medians.filter(([name]) => FORWARDED.has(name) !== refused);
    const [worstName, worst] = shapes.reduce((a, b) => (b[1].median > a[1].median ? b : a));
    return {
      id,
      scenario: `CPU of the worst hostile 10 MB body, ${what} (gateway.fetch in process)`,
      baseline: "a legitimate 10 MB chat request",
      measured: `${fmtSummary(worst, 1, " ms")} CPU (${worstName}, answered ${statuses[worstName]})`,
      reference: `${fmtSummary(legit, 1, " ms")} CPU`,
      target: "≤ 50 ms CPU per request",
      verdict: verdict(worst.median <= 50),
      raw: {
        cpuMs: Object.fromEntries(shapes.map(([name]) => [name, perShape[name]])),
        statuses,
        legitimateCpuMs: baseline,
      },
    };
  };
  return [row("10a", "refused", true), row("10b", "valid JSON, forwarded", false)];
}
