/** The rule a tool name follows (MCP's), shared by `addTool` and `mount`. */
export const TOOL_NAME = /^[A-Za-z0-9_.\-/]{1,128}$/;

/** The rule in words, for error messages. */
export const TOOL_NAME_RULE = "1-128 characters of A-Z a-z 0-9 _ - . /";
