// The management API: `GET /v1/model_apis` (cursor pages) and `GET /v1/model_apis/{name}`, overlaid per workspace.
import type { ModelApi } from "@baseten-edge/core";
import type { Catalog } from "./catalog/catalog.ts";
import { decodeCursor, encodeCursor } from "./cursor.ts";
import { errorResponse, jsonResponse } from "./http.ts";
import type { Workspace } from "./workspaces.ts";

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;
// FastAPI's boolean query parsing, which the spec's service uses.
const TRUE = new Set(["true", "1", "yes", "on"]);
const FALSE = new Set(["false", "0", "no", "off"]);

export function listModelApis(url: URL, workspace: Workspace, catalog: Catalog, secret: string): Response {
  const query = url.searchParams;
  const limitText = query.get("limit");
  let limit = DEFAULT_LIMIT;
  if (limitText !== null) {
    if (!/^\d+$/.test(limitText))
      return errorResponse(400, `limit must be an integer between 1 and ${MAX_LIMIT}, got "${limitText}"`);
    limit = Number(limitText);
    if (limit < 1 || limit > MAX_LIMIT)
      return errorResponse(400, `limit must be between 1 and ${MAX_LIMIT}, got ${limit}`);
  }
  const addedText = query.get("added_only")?.toLowerCase();
  if (addedText !== undefined && !TRUE.has(addedText) && !FALSE.has(addedText)) {
    return errorResponse(400, `added_only must be true or false, got "${query.get("added_only")}"`);
  }
  const addedOnly = addedText !== undefined && TRUE.has(addedText);

  let offset = 0;
  const cursor = query.get("cursor");
  if (cursor) {
    const state = decodeCursor(cursor, secret);
    if (!state) return errorResponse(400, "cursor is not valid: pass the cursor of a previous page unchanged");
    if (state.addedOnly !== addedOnly)
      return errorResponse(400, "cursor belongs to a query with a different added_only");
    offset = state.offset;
  }

  const rows = addedOnly ? catalog.rows.filter((row) => workspace.added.has(row.name)) : catalog.rows;
  const items = rows.slice(offset, offset + limit).map((row) => overlay(row, workspace));
  const next = offset + items.length;
  const hasMore = next < rows.length;
  return jsonResponse(200, {
    items,
    pagination: { has_more: hasMore, cursor: hasMore ? encodeCursor({ offset: next, addedOnly }, secret) : null },
  });
}

export function getModelApi(name: string, workspace: Workspace, catalog: Catalog): Response {
  const row = catalog.byName.get(name);
  if (!row) return errorResponse(404, `Model API "${name}" not found`);
  return jsonResponse(200, overlay(row, workspace));
}

/** The catalog row as this workspace sees it: its org_details, its rate-limit overrides, its marker. */
export function overlay(row: ModelApi, workspace: Workspace): ModelApi {
  const details = workspace.added.get(row.name);
  const limits = details ? workspace.rateLimits.get(row.name) : undefined;
  return {
    ...row,
    description: workspace.marker ? `${row.description} [workspace ${workspace.marker}]` : row.description,
    rate_limits: (limits ?? row.rate_limits).map((limit) => ({ ...limit })),
    org_details: details ? { ...details } : null,
  };
}
