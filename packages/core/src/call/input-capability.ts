/** Which client capability a server→client input request needs (both eras check it before asking). */
import type { InputRequest } from "../definition/context.ts";
import { ErrorCode, McpError } from "../errors.ts";

const CAPABILITY_OF: Record<InputRequest["method"], string> = {
  "elicitation/create": "elicitation",
  "sampling/createMessage": "sampling",
  "roots/list": "roots",
};

/** Throws `-32021` when the client did not declare the capability an input needs. */
export function assertCapability(request: InputRequest, capabilities: Record<string, unknown>): void {
  const capability = CAPABILITY_OF[request.method];
  if (capability === undefined)
    throw new McpError(ErrorCode.InvalidParams, `Unsupported input method ${request.method}`);
  const declared = capabilities[capability];
  if (declared === undefined || declared === null || declared === false) {
    throw new McpError(
      ErrorCode.MissingRequiredClientCapability,
      `The client did not declare the "${capability}" capability this request needs`,
      { requiredCapabilities: { [capability]: {} } },
    );
  }
}
