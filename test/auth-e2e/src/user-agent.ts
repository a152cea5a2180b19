/**
 * The end-user's browser, automated: opens an authorization URL, follows the authorization
 * server's redirects with its cookies, answers the login prompt with the test account's credentials
 * and the consent prompt with "allow", and stops at the redirect to the client's redirect URI —
 * whose query (code, state, iss) it returns instead of loading it.
 */
import { CookieJar } from "./cookie-jar.ts";
import { TEST_ACCOUNT } from "./test-account.ts";

export interface AuthorizationOutcome {
  /** The query of the redirect to the client: `code`, `state`, `iss` (or `error`). */
  callback: URLSearchParams;
  /** The prompts answered on the way, in order (`login`, `consent`). */
  prompts: string[];
}

interface InteractionPage {
  uid: string;
  prompt: string;
  actions: { login: string; confirm: string };
}

const MAX_STEPS = 12;

export class TestUserAgent {
  /** One browser: the authorization server's session cookie survives between authorizations. */
  readonly #jar = new CookieJar();

  async authorize(authorizationUrl: URL, redirectUri: string): Promise<AuthorizationOutcome> {
    const origin = authorizationUrl.origin;
    const prompts: string[] = [];
    let response = await this.#request(authorizationUrl, { method: "GET" });
    let url = authorizationUrl;
    for (let step = 0; step < MAX_STEPS; step++) {
      if (response.status >= 300 && response.status < 400) {
        const location = response.headers.get("location");
        if (location === null) throw new Error(`redirect without Location from ${url.href}`);
        url = new URL(location, url);
        await response.body?.cancel();
        if (sameEndpoint(url, redirectUri)) return { callback: url.searchParams, prompts };
        if (url.origin !== origin) throw new Error(`the authorization server redirected away to ${url.href}`);
        response = await this.#request(url, { method: "GET" });
        continue;
      }
      const body = await response.text();
      if (response.status !== 200 || !url.pathname.startsWith("/interaction/")) {
        throw new Error(`authorization stopped at ${url.href}: HTTP ${response.status} ${body}`);
      }
      const page = JSON.parse(body) as InteractionPage;
      prompts.push(page.prompt);
      if (page.prompt === "login") {
        url = new URL(page.actions.login, url);
        response = await this.#request(url, {
          method: "POST",
          body: new URLSearchParams({ username: TEST_ACCOUNT.username, password: TEST_ACCOUNT.password }),
        });
      } else if (page.prompt === "consent") {
        url = new URL(page.actions.confirm, url);
        response = await this.#request(url, {
          method: "POST",
          body: new URLSearchParams({ decision: "allow" }),
        });
      } else {
        throw new Error(`unexpected prompt ${page.prompt}`);
      }
    }
    throw new Error(`no redirect to ${redirectUri} after ${MAX_STEPS} steps`);
  }

  async #request(url: URL, init: { method: string; body?: URLSearchParams }): Promise<Response> {
    const headers = new Headers({ accept: "text/html, application/json" });
    const cookie = this.#jar.header(url);
    if (cookie !== undefined) headers.set("cookie", cookie);
    const response = await fetch(url, {
      ...init,
      headers,
      redirect: "manual",
      signal: AbortSignal.timeout(10_000),
    });
    this.#jar.store(url, response);
    return response;
  }
}

function sameEndpoint(url: URL, redirectUri: string): boolean {
  const target = new URL(redirectUri);
  return url.origin === target.origin && url.pathname === target.pathname;
}
