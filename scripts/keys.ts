// `./run keys`: gateway keys for operator mode. `create` makes a key and prints it ONCE with the policy
// to store (only the key's SHA-256 digest is in it); with `--apply <gateway url>` it first PUTs the
// policy through the admin API (ADMIN_TOKEN from the environment), and prints the key only once the
// gateway has stored it. `list` reads the admin view, `usage` a key's own view; `usage` takes the key
// from GATEWAY_KEY or stdin, never from the arguments, which `ps` shows and shell history keeps.
//   ./run keys create --name team-a --rpm 60 --monthly-usd 50 [--models a,b] [--tpm N] [--concurrent N]
//                     [--daily-usd X] [--apply http://127.0.0.1:8787]
//   ./run keys list --url http://127.0.0.1:8787                          (every key's policy and usage)
//   GATEWAY_KEY=$KEY ./run keys usage --url http://127.0.0.1:8787        (one key's own view)
//   printf %s "$KEY" | ./run keys usage --url http://127.0.0.1:8787      (the same, the key on stdin)
import { createHash, randomBytes } from "node:crypto";
import { text } from "node:stream/consumers";
import { parseArgs } from "node:util";
import { readPolicy } from "../packages/gateway/src/limits/usage.ts";

const USAGE = `usage:
  ./run keys create --name NAME [--rpm N] [--tpm N] [--concurrent N] [--daily-usd X] [--monthly-usd X]
                    [--models a,b] [--apply GATEWAY_URL]     (--apply needs ADMIN_TOKEN in the environment)
  ./run keys list --url GATEWAY_URL                          (needs ADMIN_TOKEN)
  ./run keys usage --url GATEWAY_URL                         (the key in GATEWAY_KEY, or on stdin)`;

function fail(message: string, usage = true): never {
  console.error(usage ? `keys: ${message}\n\n${USAGE}` : `keys: ${message}`);
  process.exit(usage ? 2 : 1);
}

const { values, positionals } = (() => {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        name: { type: "string" },
        rpm: { type: "string" },
        tpm: { type: "string" },
        concurrent: { type: "string" },
        "daily-usd": { type: "string" },
        "monthly-usd": { type: "string" },
        models: { type: "string" },
        apply: { type: "string" },
        url: { type: "string" },
        key: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    fail((error as Error).message);
  }
})();

const whole = (flag: string, text: string | undefined) => {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) fail(`--${flag} must be a whole number, not ${JSON.stringify(text)}`);
  return Number(text);
};
const dollars = (flag: string, text: string | undefined) => {
  if (text === undefined) return undefined;
  if (!/^\d{1,9}(\.\d{1,9})?$/.test(text)) fail(`--${flag} must be an amount of dollars such as 50 or 0.25`);
  return text;
};

/** The policy as the gateway stores it (limits/account.ts's KeyPolicy): the digest, never the key. */
function policyFor(key: string) {
  const name = values.name?.trim();
  if (!name) fail("--name is required");
  const models = values.models
    ?.split(",")
    .map((m) => m.trim())
    .filter(Boolean);
  const fields = {
    name,
    digest: createHash("sha256").update(key).digest("hex"),
    models,
    requestsPerMinute: whole("rpm", values.rpm),
    tokensPerMinute: whole("tpm", values.tpm),
    concurrent: whole("concurrent", values.concurrent),
    dailyUsd: dollars("daily-usd", values["daily-usd"]),
    monthlyUsd: dollars("monthly-usd", values["monthly-usd"]),
  };
  const policy = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
  // The gateway's own check, so that a policy printed or applied is one the gateway accepts.
  const refused = readPolicy(fields.digest, policy);
  if (typeof refused === "string") fail(refused);
  return policy;
}

function adminToken(): string {
  const token = process.env.ADMIN_TOKEN?.trim();
  if (!token) fail("set ADMIN_TOKEN (one of the tokens whose digests are in the gateway's ADMIN_TOKENS)");
  return token;
}

async function call(method: string, url: string, token: string, body?: unknown): Promise<unknown> {
  const response = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined && { "content-type": "application/json" }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  }).catch((error: Error) => fail(`cannot reach ${new URL(url).origin}: ${error.message}`, false));
  const text = await response.text();
  if (!response.ok) fail(`${method} ${new URL(url).pathname} answered ${response.status}: ${text}`, false);
  return JSON.parse(text);
}

const base = (url: string | undefined, flag: string) => {
  if (!url || !URL.canParse(url)) fail(`--${flag} must be the gateway's URL, e.g. http://127.0.0.1:8787`);
  return url.replace(/\/+$/, "");
};

async function create(): Promise<void> {
  // Everything that can refuse comes before the key is printed: a key shown once must be a stored one.
  const target = values.apply === undefined ? undefined : { url: base(values.apply, "apply"), token: adminToken() };
  // 32 random bytes: a key nobody guesses; the prefix tells people what it is when they find one.
  const key = `bek_${randomBytes(32).toString("base64url")}`;
  const policy = policyFor(key);
  const path = `/v1/admin/keys/${policy.digest}`;
  if (target) await call("PUT", `${target.url}${path}`, target.token, policy);
  console.log(`key (shown once, store it now): ${key}`);
  console.log(`policy: ${JSON.stringify(policy)}`);
  if (target) console.log(`applied: PUT ${path}`);
}

const KEY_INPUT = `give the key in GATEWAY_KEY (GATEWAY_KEY="$KEY" ./run keys usage --url …) or on stdin (printf %s "$KEY" | ./run keys usage --url …)`;

/** The key for `usage`: GATEWAY_KEY, else stdin when it is not a terminal (a pipe or a file). */
async function gatewayKey(): Promise<string> {
  const fromEnv = process.env.GATEWAY_KEY?.trim();
  if (fromEnv) return fromEnv;
  if (process.stdin.isTTY) fail(KEY_INPUT);
  return (await text(process.stdin)).trim() || fail(`no key: ${KEY_INPUT}`);
}

if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
// Refused, not merely ignored: whoever typed it needs to know the key is now in their shell history.
if (values.key !== undefined) {
  fail(
    `--key is not accepted: arguments show in \`ps\` and stay in shell history (if that was a real key, replace it); ${KEY_INPUT}`,
  );
}
const command = positionals[0];
if (command === "create") await create();
else if (command === "list") {
  console.log(JSON.stringify(await call("GET", `${base(values.url, "url")}/v1/admin/keys`, adminToken()), null, 2));
} else if (command === "usage") {
  const url = `${base(values.url, "url")}/v1/usage`;
  console.log(JSON.stringify(await call("GET", url, await gatewayKey()), null, 2));
} else fail(command ? `unknown command ${JSON.stringify(command)}` : "a command is required");
