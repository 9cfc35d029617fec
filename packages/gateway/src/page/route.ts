// GET /: the catalog page. Known callers (a key, a token, or anyone when the catalog is public) get
// it rendered here; others get the page with a form that loads it again with their key in a header.
import { type ModelApi, RateLimitError } from "@baseten-edge/core";
import { type Authenticator, type Caller, credentials, retryAfter } from "../auth.ts";
import { type CatalogSource, UpstreamAuthError } from "../catalog.ts";
import { RenderMemo } from "../http-cache.ts";
import { LookupLimited } from "../lookup-budget.ts";
import type { Lookup } from "../tiered-cache.ts";
import { SCRIPT, STYLE } from "./assets.generated.ts";
import { documentHtml, type PageState } from "./document.ts";
import { pageRows } from "./rows.ts";

export interface PageDependencies {
  auth: Authenticator;
  source: CatalogSource;
  /** The rows this caller may see (anonymous callers get no workspace details). */
  visibleRows(lookup: Lookup<ModelApi[]>, caller: Caller): readonly ModelApi[];
  log(event: { event: string; error: string }): void;
}

type WaitUntil = ((promise: Promise<unknown>) => void) | undefined;

/** The `GET /` handler: always HTML, never cached by anyone (it may hold a workspace's details). */
export function catalogPage(deps: PageDependencies) {
  const credential = deps.auth.mode === "pass-through" ? "Baseten API key" : "gateway token";
  // Pages per catalog entry (a refresh makes a new entry, and the old pages go with it), within the
  // entry's render budget; entries are per caller id, so a page never reaches another tenant.
  const memo = new RenderMemo();
  return async (request: Request, waitUntil: WaitUntil, clientAddress: string | undefined): Promise<Response> => {
    const identified = await deps.auth.identify(request, true, clientAddress);
    if (!identified.ok) {
      // A bare visit is no error: the page asks for the key. A wrong key is one, said on the page.
      const given = credentials(request) !== null || request.headers.has("authorization");
      const notice = given ? identified.message : `Enter your ${credential} to see the Model APIs it can use.`;
      const answer = await page(render({ rows: null, credential, notice }), given ? identified.status : 200);
      // A 429 or 503 says when to try again, as the JSON routes do.
      for (const [name, value] of retryAfter(identified) ?? []) answer.headers.set(name, value);
      return answer;
    }
    const { caller } = identified;
    try {
      const lookup = await deps.source.catalog(caller, waitUntil, clientAddress);
      // Features only label rows; the page still shows the catalog if /v1/models is down.
      const models = await deps.source.models(caller, waitUntil, clientAddress).catch(() => null);
      const key = `page:${caller.view}:${models?.entry.hash ?? "-"}`;
      let body = memo.rendered<{ body: string }>(lookup.entry, key)?.body;
      if (body === undefined) {
        const rows = pageRows(deps.visibleRows(lookup, caller), models?.entry.value ?? [], caller.view === "public");
        body = render({ rows, credential });
        memo.keep(lookup.entry, key, { body });
      }
      return page(body, 200);
    } catch (thrown) {
      const [status, notice, retryAfter] = failure(thrown);
      if (status >= 500)
        deps.log({ event: "upstream_error", error: thrown instanceof Error ? thrown.name : "unknown" });
      const answer = await page(render({ rows: null, credential, notice }), status);
      if (retryAfter !== undefined) answer.headers.set("retry-after", String(retryAfter));
      return answer;
    }
  };
}

/** Why there is no catalog to show: a status, a sentence for the page, and seconds to wait if known. */
function failure(thrown: unknown): [number, string, (number | undefined)?] {
  if (thrown instanceof UpstreamAuthError) return [thrown.status, thrown.upstreamMessage];
  if (thrown instanceof LookupLimited) return [429, thrown.message, thrown.retryAfterSeconds];
  if (thrown instanceof RateLimitError) {
    const seconds = thrown.retryAfterMs === null ? undefined : Math.ceil(thrown.retryAfterMs / 1000);
    return [429, "Baseten rate-limited the catalog request; try again later.", seconds];
  }
  return [503, "The catalog is unavailable: Baseten did not answer and no cached copy is recent enough."];
}

let hashes: Promise<{ script: string; style: string }> | undefined;

/** The CSP's source hashes of the inline script and style, computed once per isolate. */
function inlineHashes() {
  hashes ??= Promise.all([sha256(SCRIPT), sha256(STYLE)]).then(([script, style]) => ({ script, style }));
  return hashes;
}

async function sha256(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return `'sha256-${btoa(String.fromCharCode(...digest))}'`;
}

function render(state: PageState): string {
  return documentHtml(state, STYLE, SCRIPT);
}

async function page(body: string, status: number): Promise<Response> {
  const { script, style } = await inlineHashes();
  return new Response(body, {
    status,
    headers: {
      "content-type": "text/html; charset=utf-8",
      // Nothing runs or loads but our own hashed script and style; the page fetches only itself.
      "content-security-policy": [
        "default-src 'none'",
        `script-src ${script}`,
        `style-src ${style}`,
        "connect-src 'self'",
        // data: only for the empty favicon, which spares browsers a request for /favicon.ico.
        "img-src data:",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
      ].join("; "),
      "x-content-type-options": "nosniff",
      "x-frame-options": "DENY",
      "referrer-policy": "no-referrer",
      "cache-control": "no-store",
      vary: "Authorization, X-Api-Key",
    },
  });
}
