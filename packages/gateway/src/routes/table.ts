// The one place routes are registered: each registration adds the Hono route and remembers its
// path, methods and error protocol, from which wrong-method requests get their 405 and `Allow`.
import type { Handler, Hono } from "hono";
import type { Protocol } from "../relay/protocols.ts";

/** What the runtime passes along with each request (Hono's `c.env`). */
export type Env = {
  Bindings: { waitUntil: ((promise: Promise<unknown>) => void) | undefined; clientAddress: string | undefined };
};

/**
 * The protocol a route's errors are answered in: one protocol, one chosen per request (routes that
 * answer OpenAI and Anthropic clients alike), or null for Baseten's `{"error": "..."}`.
 */
export type ErrorProtocol = Protocol | ((request: Request) => Protocol) | null;

interface Registered {
  pattern: RegExp;
  methods: string[];
  protocol: ErrorProtocol;
}

export class RouteTable {
  readonly app: Hono<Env>;
  readonly #registered = new Map<string, Registered>();

  constructor(app: Hono<Env>) {
    this.app = app;
  }

  /** `GET` (and `HEAD`, which Hono answers from the `GET` handler). */
  get(path: string, handler: Handler<Env>, protocol: ErrorProtocol = null): void {
    this.app.get(path, exactly(path, handler));
    this.#note(path, ["GET", "HEAD"], protocol);
  }

  post(path: string, handler: Handler<Env>, protocol: ErrorProtocol = null): void {
    this.app.post(path, exactly(path, handler));
    this.#note(path, ["POST"], protocol);
  }

  put(path: string, handler: Handler<Env>): void {
    this.app.put(path, exactly(path, handler));
    this.#note(path, ["PUT"], null);
  }

  delete(path: string, handler: Handler<Env>): void {
    this.app.delete(path, exactly(path, handler));
    this.#note(path, ["DELETE"], null);
  }

  /** The methods a path is served with (for `Allow`) and its error protocol; undefined for no route. */
  allowed(pathname: string): { allow: string; protocol: ErrorProtocol } | undefined {
    for (const route of this.#registered.values()) {
      if (route.pattern.test(pathname)) return { allow: route.methods.join(", "), protocol: route.protocol };
    }
    return undefined;
  }

  #note(path: string, methods: string[], protocol: ErrorProtocol): void {
    const known = this.#registered.get(path);
    if (known) known.methods.push(...methods);
    else this.#registered.set(path, { pattern: pathPattern(path), methods: [...methods], protocol });
  }
}

/**
 * `handler`, for its own path only. Hono's PatternRouter also matches a path with one more trailing
 * slash (`/v1/models/` as `/v1/models`, so `GET /v1/models/.` answered the whole list); such a
 * request is not found, as `allowed` and every other router see it.
 */
function exactly(path: string, handler: Handler<Env>): Handler<Env> {
  if (path.endsWith("/")) return handler;
  return (c, next) => (c.req.path.endsWith("/") ? c.notFound() : handler(c, next));
}

/** A Hono path (`/a/:name`, `/a/:id{regex}`) as a regular expression over the request's pathname. */
export function pathPattern(path: string): RegExp {
  const source = path.replace(
    /:\w+(\{((?:[^{}]|\{[^}]*\})*)\})?|[^:]+/g,
    (part, _braces, custom: string | undefined) => {
      if (!part.startsWith(":")) return part.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
      return custom === undefined ? "[^/]+" : `(?:${custom})`;
    },
  );
  return new RegExp(`^${source}$`);
}
