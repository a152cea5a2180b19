/**
 * The authorization server's login and consent "pages", for a user agent that is a program: oidc-
 * provider sends the browser to `/interaction/<uid>`; a GET there describes the pending prompt as
 * JSON, and the agent answers with a form POST to `…/login` (username and password of the test
 * account) or `…/confirm` (consent: every scope the request asks for is granted). What was decided is
 * appended to `log`, so tests can tell which prompts a flow went through.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Provider } from "oidc-provider";
import { checkCredentials } from "./test-account.ts";

export type InteractionEvent =
  | { kind: "login"; uid: string; clientId: string; accountId: string }
  | {
      kind: "consent";
      uid: string;
      clientId: string;
      accountId: string;
      /** Resource indicator → the scopes added to the grant for it. */
      resourceScopes: Record<string, string[]>;
      oidcScopes: string[];
    };

const ROUTE = /^\/interaction\/([A-Za-z0-9_-]+)(?:\/(login|confirm))?$/;

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
  res.end(JSON.stringify(body));
}

/**
 * Serves `req` if it is an interaction route (true), else leaves it alone (false) for the provider.
 */
export async function serveInteraction(
  provider: Provider,
  log: InteractionEvent[],
  req: IncomingMessage,
  res: ServerResponse,
): Promise<boolean> {
  const match = ROUTE.exec(new URL(req.url ?? "/", "http://127.0.0.1").pathname);
  if (match === null) return false;
  const [, uid, action] = match as unknown as [string, string, string | undefined];

  // Reads (and checks) the interaction cookie oidc-provider set for this uid.
  const interaction = await provider.interactionDetails(req, res);
  if (interaction.uid !== uid) {
    sendJson(res, 400, { error: "interaction_mismatch" });
    return true;
  }
  const clientId = String(interaction.params.client_id);

  if (req.method === "GET" && action === undefined) {
    sendJson(res, 200, {
      uid,
      prompt: interaction.prompt.name,
      reasons: interaction.prompt.reasons,
      details: interaction.prompt.details,
      clientId,
      scope: interaction.params.scope,
      resource: interaction.params.resource,
      actions: { login: `/interaction/${uid}/login`, confirm: `/interaction/${uid}/confirm` },
    });
    return true;
  }

  if (req.method === "POST" && action === "login" && interaction.prompt.name === "login") {
    const form = await readForm(req);
    const accountId = checkCredentials(form.get("username"), form.get("password"));
    if (accountId === undefined) {
      sendJson(res, 401, { error: "invalid_credentials" });
      return true;
    }
    log.push({ kind: "login", uid, clientId, accountId });
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId } },
      { mergeWithLastSubmission: false },
    );
    return true;
  }

  if (req.method === "POST" && action === "confirm" && interaction.prompt.name === "consent") {
    await readForm(req);
    const accountId = interaction.session?.accountId;
    if (accountId === undefined) {
      sendJson(res, 400, { error: "no_session" });
      return true;
    }
    // An earlier grant of this client (the step-up case) is extended, not replaced.
    const grant =
      (interaction.grantId !== undefined ? await provider.Grant.find(interaction.grantId) : undefined) ??
      new provider.Grant({ accountId, clientId });
    const { missingOIDCScope, missingOIDCClaims, missingResourceScopes } = interaction.prompt.details;
    if (missingOIDCScope) grant.addOIDCScope(missingOIDCScope.join(" "));
    if (missingOIDCClaims) grant.addOIDCClaims(missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(missingResourceScopes ?? {})) {
      grant.addResourceScope(indicator, scopes.join(" "));
    }
    const grantId = await grant.save();
    log.push({
      kind: "consent",
      uid,
      clientId,
      accountId,
      resourceScopes: missingResourceScopes ?? {},
      oidcScopes: missingOIDCScope ?? [],
    });
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    return true;
  }

  sendJson(res, 400, { error: "unexpected_interaction", prompt: interaction.prompt.name, action });
  return true;
}
