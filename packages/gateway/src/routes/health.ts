// GET /healthz: answers without touching the catalog or Baseten (for load balancers and uptime checks).
import type { RouteTable } from "./table.ts";

export function registerHealthRoute(routes: RouteTable): void {
  routes.get("/healthz", (c) => c.json({ status: "ok" }));
}
