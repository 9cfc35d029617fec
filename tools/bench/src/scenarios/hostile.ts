// Scenario 10: the CPU one hostile 10 MB body costs the gateway, in process (the worst of several shapes).
import { type Row, verdict } from "../report.ts";
import type { Settings } from "../settings.ts";
import { fmtSummary, interleave, summarize } from "../stats.ts";
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

/** One measured call: the CPU it cost and the status the gateway answered. */
interface Measured {
  cpuMs: number;
  status: number;
}

/**
 * CPU milliseconds (user + system) of one `gateway.fetch` with its answer read, in this process, and its status.
 * The request is built before the clock starts: copying the body into it is the client's work.
 */
async function measure(make: () => Request, call: (request: Request) => Promise<Response>): Promise<Measured> {
  const request = make();
  // Interleaved, each call follows a different shape: let the previous call's waitUntil tail and the
  // GC work its 10 MB of garbage started mostly finish first, instead of being charged to this one.
  await new Promise((resolve) => setTimeout(resolve, 25));
  const before = process.cpuUsage();
  const response = await call(request);
  await response.arrayBuffer();
  const used = process.cpuUsage(before);
  return { cpuMs: (used.user + used.system) / 1000, status: response.status };
}

/** The shapes built to be valid JSON within the limits, so forwarded like a real request; the others are built to be refused. */
const FORWARDED = new Set(["10 MB of escapes", "10 MB of \\u escapes", "10 MB of emoji", "250k values, then a string"]);
/** What the bench's upstream answers a chat request, at once and without reading it; the gateway never answers 422 itself. */
const UPSTREAM_STATUS = 422;
const LEGITIMATE = "legitimate 10 MB request";

/** The in-process gateway, its model list learned, and a request builder for its chat route. */
async function hostileTarget() {
  const models = { object: "list", data: [{ id: KNOWN, object: "model" }] };
  // The upstream answers at once without reading the body: only the gateway's own work is counted.
  const upstream = async (request: Request) =>
    request.url.endsWith("/v1/models")
      ? Response.json(models)
      : Response.json({ error: { message: "never mind", type: "invalid_request_error" } }, { status: UPSTREAM_STATUS });
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
  return { make, call };
}

/** The status every round of `name` answered; throws when rounds disagree (the grouping would be a guess). */
function observedStatus(name: string, runs: readonly Measured[]): number {
  const statuses = new Set(runs.map((r) => r.status));
  if (statuses.size !== 1) throw new Error(`${name} answered ${[...statuses].join(" and ")} in different rounds`);
  return runs[0]!.status;
}

/**
 * Each shape's observed status, checked against what it is built for: forwarded (the upstream's
 * status) or refused by the gateway. A shape in the wrong group is a changed gateway or a broken
 * shape, and either makes the rows compare the wrong things.
 */
function statusesChecked(runs: Record<string, Measured[]>): Record<string, number> {
  const statuses = Object.fromEntries(Object.entries(runs).map(([name, list]) => [name, observedStatus(name, list)]));
  for (const [name, status] of Object.entries(statuses)) {
    const built = name === LEGITIMATE || FORWARDED.has(name) ? "forwarded" : "refused";
    const seen = status === UPSTREAM_STATUS ? "forwarded" : "refused";
    if (built !== seen) throw new Error(`${name} is built to be ${built} but was ${seen} (answered ${status})`);
  }
  return statuses;
}

/** Every hostile shape and the legitimate request, as bytes (the texts are dropped once encoded). */
function bodies(): Record<string, Uint8Array<ArrayBuffer>> {
  // A legitimate body of the same size (one long message of mixed text), same path.
  const legitimate = JSON.stringify({
    model: KNOWN,
    messages: [{ role: "user", content: "héllo wörld, ".repeat(Math.floor(SIZE / 15)) }],
  });
  const encoder = new TextEncoder();
  return Object.fromEntries(
    Object.entries({ ...hostileBodies(), [LEGITIMATE]: legitimate }).map(([name, text]) => [
      name,
      encoder.encode(text),
    ]),
  );
}

/**
 * 10: every hostile shape and the legitimate request, interleaved round by round; the worst shape of
 * each group (refused, forwarded: by the status observed) against an absolute CPU target, the legitimate
 * request as the reference.
 */
export async function hostileBodyCpu(settings: Settings): Promise<Row[]> {
  const { make, call } = await hostileTarget();
  const variants = Object.fromEntries(
    Object.entries(bodies()).map(([name, bytes]) => [name, () => measure(make(bytes), call)]),
  );
  const runs = await interleave(settings.quick ? 3 : settings.rounds, variants);
  const statuses = statusesChecked(runs);
  const cpu = (name: string) => runs[name]!.map((r) => r.cpuMs);
  const legit = summarize(cpu(LEGITIMATE));
  for (const name of Object.keys(runs))
    console.error(`  ${name}: ${fmtSummary(summarize(cpu(name)), 1, " ms")} CPU, ${statuses[name]}`);
  const row = (id: string, what: string, forwarded: boolean): Row => {
    const shapes = Object.keys(statuses).filter(
      (name) => name !== LEGITIMATE && (statuses[name] === UPSTREAM_STATUS) === forwarded,
    );
    const medians = shapes.map((name) => [name, summarize(cpu(name))] as const);
    const [worstName, worst] = medians.reduce((a, b) => (b[1].median > a[1].median ? b : a));
    return {
      id,
      scenario: `CPU of the worst hostile 10 MB body, gateway.fetch in process: ${what}`,
      baseline: `a legitimate 10 MB chat request, interleaved (answered ${statuses[LEGITIMATE]}, for reference)`,
      measured: `${fmtSummary(worst, 1, " ms")} CPU (${worstName}, answered ${statuses[worstName]})`,
      reference: `${fmtSummary(legit, 1, " ms")} CPU`,
      target: "≤ 50 ms CPU per request",
      verdict: verdict(worst.median <= 50),
      raw: {
        cpuMs: Object.fromEntries(shapes.map((name) => [name, cpu(name)])),
        statuses,
        legitimateCpuMs: cpu(LEGITIMATE),
      },
    };
  };
  return [
    row("10a", `refused (the gateway's own answer, not the upstream's ${UPSTREAM_STATUS})`, false),
    row("10b", `valid JSON, forwarded (answered the upstream's ${UPSTREAM_STATUS})`, true),
  ];
}
