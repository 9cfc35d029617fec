// A reference relay for the bench: see `checkingRelay`.

/**
 * The least a relay that checks and accounts can do, for reference: it reads the body and parses it
 * for its model (the check the gateway's model allowlist needs), sends it on, reads the answer and
 * parses its usage (what a cost header and a usage log need), and answers with those bytes. No
 * authentication, limits, timeouts, header firewall or log line: what the runtime charges for the
 * reads and the copies alone, which no checking relay can skip. Scenario 3 runs it on workerd (its
 * source, `checkingScript` in scenarios/workerd.ts: it names nothing outside itself), scenario 5 in
 * process, and features.ts inside the isolate.
 */
export function checkingRelay(send: (request: Request) => Promise<Response>, upstreamUrl: string) {
  const utf8 = new TextDecoder();
  return async (request: Request): Promise<Response> => {
    const body = await request.arrayBuffer();
    const { model } = JSON.parse(utf8.decode(body));
    if (typeof model !== "string") return new Response("no model", { status: 400 });
    const headers = { "content-type": "application/json", authorization: request.headers.get("authorization") ?? "" };
    const url = upstreamUrl + new URL(request.url).pathname;
    const answer = await send(new Request(url, { method: "POST", headers, body }));
    const bytes = await answer.arrayBuffer();
    const tokens = JSON.parse(utf8.decode(bytes)).usage?.total_tokens;
    const type = answer.headers.get("content-type") ?? "application/json";
    return new Response(bytes, {
      status: answer.status,
      headers: { "content-type": type, "x-tokens": String(tokens) },
    });
  };
}
