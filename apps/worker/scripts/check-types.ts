// Fails when worker-configuration.d.ts no longer matches wrangler.jsonc (`wrangler types --check` only compares a hash).
import { execFileSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const committed = join(root, "worker-configuration.d.ts");
// Written next to the committed file: Durable Object bindings are typed by an import path relative to it.
const fresh = join(root, `.worker-configuration.check-${process.pid}.d.ts`);
// The flags of the `types` script, so that the check cannot drift from the generator.
const scripts = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { scripts: Record<string, string> })
  .scripts;
const flags = (scripts.types ?? "").split(/\s+/).filter((arg) => arg.startsWith("--"));
try {
  execFileSync("wrangler", ["types", ...flags, fresh], {
    cwd: root,
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  });
  // Line 2 names the output path, which differs by design; everything else must match.
  const body = (file: string) => readFileSync(file, "utf8").split("\n").toSpliced(1, 1).join("\n");
  if (body(fresh) !== body(committed)) {
    console.error("worker-configuration.d.ts is out of date: run `pnpm types` and commit the result.");
    process.exitCode = 1;
  } else console.log("worker-configuration.d.ts is up to date.");
} finally {
  rmSync(fresh, { force: true });
}
