import { handle } from "@portico/adapter-lambda";

interface AddCall {
  id?: unknown;
  params?: { arguments?: { a?: number; b?: number }; _meta?: unknown };
}

export const handler = handle({
  async fetch(request: Request) {
    const body = (await request.json()) as AddCall;
    const args = body.params?.arguments ?? {};
    const result: Record<string, unknown> = {
      content: [{ type: "text", text: String((args.a ?? 0) + (args.b ?? 0)) }],
    };
    if (body.params?._meta !== undefined) result.resultType = "complete";
    return Response.json({ jsonrpc: "2.0", id: body.id ?? null, result });
  },
});
