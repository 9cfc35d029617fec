// Loaded into Portkey's gateway with `node --import`: its streaming path appends headers to the upstream's
// fetch Response, whose headers Node's fetch makes immutable ("TypeError: immutable"). The shim hands
// Portkey a copy with mutable headers (one `new Response` per upstream call, paid by Portkey's side).
const upstreamFetch = globalThis.fetch;
globalThis.fetch = async (input, init) => {
  const response = await upstreamFetch(input, init);
  return new Response(response.body, response);
};
// The harness owns this process: if it goes away, so does Portkey.
process.stdin.on("end", () => process.exit(0)).resume();
