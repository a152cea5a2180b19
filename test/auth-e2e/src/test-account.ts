/**
 * The one end-user the authorization server knows: the automated login signs in as this account,
 * and the MCP tools must report its id as the token's subject.
 */
export const TEST_ACCOUNT = {
  /** The account id, which oidc-provider puts in `sub`. */
  id: "user-7f3a9c-alice",
  username: "alice",
  password: "correct horse battery staple",
  name: "Alice Example",
} as const;

/** oidc-provider's `findAccount`: the test account, or nobody. */
export function findAccount(_ctx: unknown, id: string) {
  if (id !== TEST_ACCOUNT.id) return undefined;
  return {
    accountId: id,
    claims: () => ({ sub: id, name: TEST_ACCOUNT.name }),
  };
}

/** Whether a submitted login form names the test account with its password. */
export function checkCredentials(username: string | null, password: string | null): string | undefined {
  return username === TEST_ACCOUNT.username && password === TEST_ACCOUNT.password
    ? TEST_ACCOUNT.id
    : undefined;
}
