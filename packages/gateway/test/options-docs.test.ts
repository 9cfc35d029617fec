// Defaults are written once (DEFAULTS in options.ts); everything that states one is checked against it.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ENV_VARS } from "../src/index.ts";
import { DEFAULTS, ENV_OPTION, resolveOptions } from "../src/options.ts";

const read = (path: string) => readFileSync(new URL(path, import.meta.url), "utf8");
const optionsSource = read("../src/options.ts");
const gatewayReadme = read("../README.md");
const workerReadme = read("../../../apps/worker/README.md");

/** The JSDoc just above `key?:` in `GatewayOptions`. */
function jsdocOf(key: string): string {
  const match = new RegExp(`/\\*\\*((?:(?!\\*/)[\\s\\S])*)\\*/\\s*\\n\\s*${key}\\?:`).exec(optionsSource);
  if (!match?.[1]) throw new Error(`no JSDoc for ${key}`);
  return match[1].replace(/\s*\n\s*\*\s*/g, " ");
}

/** The README table row for an environment variable, or undefined when the table has none. */
function rowOf(readme: string, name: string): string | undefined {
  return readme.split("\n").find((line) => line.startsWith(`| \`${name}\``));
}

describe("option defaults, stated once", () => {
  it("resolveOptions applies DEFAULTS", () => {
    const resolved = resolveOptions({ auth: { mode: "pass-through" }, cacheSalt: "a long random secret value" });
    expect(resolved.managementUrl).toBe(DEFAULTS.managementUrl);
    expect(resolved.inferenceUrl).toBe(DEFAULTS.inferenceUrl);
    expect(resolved.freshMs).toBe(DEFAULTS.freshSeconds * 1000);
    expect(resolved.maxStaleMs).toBe(DEFAULTS.maxStaleSeconds * 1000);
    expect(resolved.memoryBudget).toBe(DEFAULTS.memoryMegabytes * 1024 * 1024);
    expect(resolved.maxBodyBytes).toBe(DEFAULTS.maxBodyBytes);
    expect(resolved.firstByteTimeoutMs).toBe(DEFAULTS.firstByteTimeoutSeconds * 1000);
    expect(resolved.idleTimeoutMs).toBe(DEFAULTS.idleTimeoutSeconds * 1000);
    expect(resolved.relayRetries).toBe(DEFAULTS.relayRetries);
    expect(resolved.maxRetryAfterMs).toBe(DEFAULTS.maxRetryAfterSeconds * 1000);
    expect(resolved.newKeysPerClientPerMinute).toBe(DEFAULTS.newKeysPerClientPerMinute);
    expect(resolved.newKeysPerMinute).toBe(DEFAULTS.newKeysPerMinute);
  });

  it.each(Object.entries(DEFAULTS))("the JSDoc of %s states its default", (key, value) => {
    expect(jsdocOf(key)).toContain(`(default ${value}`);
  });

  it.each(Object.entries(ENV_OPTION))("ENV_VARS.%s states the default of %s", (name, key) => {
    expect(ENV_VARS[name as keyof typeof ENV_VARS]).toContain(`(default ${DEFAULTS[key]})`);
  });

  it.each(Object.entries(ENV_OPTION))("the gateway README's row for %s states the default of %s", (name, key) => {
    const row = rowOf(gatewayReadme, name);
    expect(row, `README row for ${name}`).toBeDefined();
    expect(row?.replaceAll("`", "")).toContain(`default ${DEFAULTS[key]}`);
  });

  it("every environment variable is in the gateway README's table, and every row is a variable", () => {
    const rows = gatewayReadme.split("\n").filter((line) => /^\| `[A-Z_]+` /.test(line));
    expect(rows.map((row) => /`([A-Z_]+)`/.exec(row)?.[1]).sort()).toEqual(Object.keys(ENV_VARS).sort());
  });

  it.each(Object.entries(ENV_OPTION))("the Worker README's row for %s states the default of %s", (name, key) => {
    const row = rowOf(workerReadme, name);
    expect(row, `Worker README row for ${name}`).toBeDefined();
    expect(row).toContain(`\`${DEFAULTS[key]}\``);
  });

  it("the Worker README's table has every variable the Worker passes to the gateway, and its own bindings", () => {
    const rows = workerReadme.split("\n").filter((line) => /^\| `[A-Z_]+` /.test(line));
    const names = rows.map((row) => /`([A-Z_]+)`/.exec(row)?.[1]).sort();
    // The Worker's own: bindings (KV, Durable Objects, Analytics Engine) and its log setting.
    const workerOnly = ["ANALYTICS", "CATALOG_KV", "LIMITS", "REQUEST_LOG"];
    expect(names).toEqual([...Object.keys(ENV_VARS), ...workerOnly].sort());
  });

  it("the checks read real text: a changed default would be caught", () => {
    expect(jsdocOf("freshSeconds")).not.toContain(`(default ${DEFAULTS.freshSeconds + 1}`);
    expect(ENV_VARS.CATALOG_FRESH_SECONDS).not.toContain(`(default ${DEFAULTS.freshSeconds + 1})`);
  });
});
