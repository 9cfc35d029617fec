// The minimal Hono proxy on Node the bench weighs the gateway against: every /v1 POST to UPSTREAM through hono/proxy.
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { proxy } from "hono/proxy";

const upstream = process.env.UPSTREAM ?? "";
const app = new Hono();
app.post("/v1/*", (c) => proxy(`${upstream}${c.req.path}`, c.req));
const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info) => {
  process.stdout.write(`listening on http://127.0.0.1:${info.port}\n`);
});
// The harness owns this process: if it goes away, so does the proxy.
process.stdin.on("end", () => server.close(() => process.exit(0))).resume();
