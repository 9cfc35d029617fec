// The emulator's own routes under /__emulator/: the request log and the fault queue, over HTTP.
import { type FaultQueue, type FaultSpec, FaultSyntaxError, parseFaults } from "./faults.ts";
import { errorResponse, jsonResponse } from "./http.ts";
import { isRecord } from "./inference/common.ts";
import type { EmulatorState } from "./state.ts";

export async function admin(state: EmulatorState, request: Request, url: URL): Promise<Response> {
  const key = `${request.method} ${url.pathname}`;
  switch (key) {
    case "GET /__emulator/requests":
      return jsonResponse(200, { requests: state.log.list() });
    case "DELETE /__emulator/requests":
      state.log.clear();
      return new Response(null, { status: 204 });
    case "POST /__emulator/faults":
      return queueFromHttp(state.queue, await request.text());
    case "DELETE /__emulator/faults":
      state.queue.clear();
      return new Response(null, { status: 204 });
    default:
      return errorResponse(404, `no emulator route for ${key}`);
  }
}

function queueFromHttp(queue: FaultQueue, text: string): Response {
  try {
    const body: unknown = JSON.parse(text);
    if (!isRecord(body)) throw new FaultSyntaxError("body must be a JSON object");
    const fault =
      typeof body.fault === "string"
        ? parseFaults(body.fault)
        : isRecord(body.fault)
          ? (body.fault as FaultSpec)
          : undefined;
    if (!fault)
      throw new FaultSyntaxError('"fault" must be a header-style string such as "status=503" or a fault object');
    const times = body.times ?? 1;
    const path = body.path ?? "/";
    if (typeof times !== "number" || typeof path !== "string")
      throw new FaultSyntaxError('"times" must be a number and "path" a string');
    queue.push({ fault, times, path });
    return jsonResponse(201, { pending: queue.pending });
  } catch (error) {
    return errorResponse(400, `cannot queue fault: ${(error as Error).message}`);
  }
}
