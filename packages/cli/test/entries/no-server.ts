// Exports nothing the CLI could serve.
export const name = "not a server";
export const answer = 42;
