// A 2xx answer whose body is not what the client reads: a typed ApiError with the status, never a SyntaxError or TypeError.
import { describe, expect, it } from "vitest";
import { ApiError, BasetenError, createBasetenClient, createInferenceClient } from "../src/index.ts";
import { drain, json, modelApi, recordingFetch } from "./helpers.ts";

const chat = { model: "m", messages: [{ role: "user" as const, content: "hi" }] };

/** A client of each kind whose every answer is `response()`. */
function clients(response: () => Response) {
  const { fetch } = recordingFetch(response);
  return {
    baseten: createBasetenClient({ apiKey: "k", fetch }),
    inference: createInferenceClient({ apiKey: "k", fetch }),
  };
}

/** Expects `pending` to reject with an ApiError (a BasetenError) that carries `status` and says why. */
async function expectUnexpectedBody(pending: Promise<unknown>, status = 200): Promise<ApiError> {
  const error = await pending.then(
    () => expect.unreachable("resolved"),
    (e: unknown) => e,
  );
  expect(BasetenError.isInstance(error)).toBe(true);
  expect(error).toBeInstanceOf(ApiError);
  expect((error as ApiError).status).toBe(status);
  expect((error as ApiError).message).toBe(`Baseten answered ${status} with an unexpected body.`);
  return error as ApiError;
}

const html = () => new Response("<html>Bad gateway</html>", { headers: { "content-type": "text/html" } });
const empty = () => new Response(null, { status: 200 });
const emptyWithLength = () => new Response("", { headers: { "content-length": "0" } });

describe("a 2xx answer with a body that is not JSON", () => {
  it("rejects modelApis.get with an ApiError that keeps the text as its body", async () => {
    const error = await expectUnexpectedBody(clients(html).baseten.modelApis.get("x"));
    expect(error.body).toBe("<html>Bad gateway</html>");
  });

  it("rejects a non-streamed chat completion with an ApiError", async () => {
    await expectUnexpectedBody(clients(html).inference.chat.completions.create(chat));
  });

  it("rejects models.list with an ApiError", async () => {
    await expectUnexpectedBody(clients(html).inference.models.list());
  });

  it.each([
    ["no body", empty],
    ["Content-Length: 0", emptyWithLength],
  ])("rejects modelApis.list on an empty 200 (%s) with an ApiError", async (_, answer) => {
    await expectUnexpectedBody(drain(clients(answer).baseten.modelApis.list()));
  });

  it("keeps the status of another 2xx", async () => {
    await expectUnexpectedBody(
      clients(() => new Response("accepted", { status: 202 })).baseten.modelApis.get("x"),
      202,
    );
  });
});

describe("a 2xx answer with JSON of the wrong shape", () => {
  it.each([
    ["no data", { object: "list" }],
    ["data that is not an array", { object: "list", data: {} }],
    ["an array", [{ id: "m" }]],
  ])("rejects models.list for %s", async (_, body) => {
    await expectUnexpectedBody(clients(() => json(body)).inference.models.list());
  });

  it.each([
    ["no pagination", { items: [] }],
    ["items that are not an array", { items: {}, pagination: { has_more: false } }],
    ["null", null],
  ])("rejects modelApis.listPage for %s", async (_, body) => {
    await expectUnexpectedBody(clients(() => json(body)).baseten.modelApis.listPage());
  });

  it.each([
    ["a string", "llama"],
    ["a number", 42],
    ["an array", [modelApi("x")]],
  ])("rejects modelApis.get for %s, which is not an object", async (_, body) => {
    await expectUnexpectedBody(clients(() => json(body)).baseten.modelApis.get("x"));
  });

  it("rejects a streamed completion whose 200 has no body before any chunk is read", async () => {
    await expectUnexpectedBody(clients(empty).inference.chat.completions.create({ ...chat, stream: true }));
  });

  it("still returns a well-formed answer", async () => {
    const model = await clients(() => json(modelApi("x"))).baseten.modelApis.get("x");
    expect(model.name).toBe("x");
  });
});
