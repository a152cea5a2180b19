/**
 * Which resource template takes a `resources/read` URI when several match. Core reads a resource
 * listed with that exact URI first, then tries templates in registration order, so an upstream
 * proxied first with a catch-all template (`{+uri}`, `file:///{+path}`) would receive reads of
 * URIs that belong to another upstream, to the server's own resources or to a mounted server.
 *
 * A proxied upstream's templates are registered as {@link RoutedTemplate}s, which match a URI only
 * when this rule gives it to them:
 *
 * 1. A resource registered with that exact URI takes it (core's own rule).
 * 2. Among the templates that match it (every template of the server, proxied or not), the most
 *    specific takes it: the most literal characters (text outside `{…}`), then the fewest
 *    reserved expansions (`{+x}`, `{#x}`, which may span `/`), then the first registered.
 * 3. A proxied template never takes a URI that lies in another owner's namespace longer than its
 *    own literal prefix (the text before its first `{`): another owner's template's literal prefix,
 *    or the scheme and authority (`docs://guide/`, or `urn:` without `//`) of another owner's
 *    resource. The next template in that order is tried; when none may take it, the URI is not
 *    found. An owner is one `proxy()` call (its upstream); everything else is the server's own.
 *
 * The server's own templates are not routed: core tries them in registration order, so one
 * registered before a proxied template that matches a URI still takes it.
 */
import { type McpServer, UriTemplate } from "@portico/core";

/** Who registered a definition: a `proxy()` call's token; {@link SERVER} for everything else. */
type Owner = object;
const SERVER: Owner = Object.freeze({});

/** What ranks a template: its literal characters, its reserved expansions, its literal prefix. */
interface Shape {
  readonly literal: number;
  readonly reserved: number;
  readonly prefix: string;
}

const shapes = new WeakMap<UriTemplate, Shape>();

function shapeOf(template: UriTemplate): Shape {
  const known = shapes.get(template);
  if (known !== undefined) return known;
  const text = template.template;
  let literal = 0;
  let reserved = 0;
  let prefix: string | undefined;
  let last = 0;
  for (const expression of text.matchAll(/\{([^}]*)\}/g)) {
    literal += expression.index - last;
    prefix ??= text.slice(0, expression.index);
    if (expression[1]?.startsWith("+") || expression[1]?.startsWith("#")) reserved += 1;
    last = expression.index + expression[0].length;
  }
  const shape = { literal: literal + text.length - last, reserved, prefix: prefix ?? text };
  shapes.set(template, shape);
  return shape;
}

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;

/** The namespace a resource URI claims: `scheme://authority/`, or `scheme:` without `//`. */
function resourceNamespace(uri: string): string | undefined {
  const scheme = SCHEME.exec(uri)?.[0];
  if (scheme === undefined) return undefined;
  if (!uri.startsWith("//", scheme.length)) return scheme;
  const start = scheme.length + 2;
  let end = start;
  while (end < uri.length && !"/?#".includes(uri[end] as string)) end += 1;
  return `${uri.slice(0, end)}/`;
}

/** A template that takes part in the routing (see the module comment). */
interface Candidate {
  readonly template: UriTemplate;
  readonly owner: Owner;
  readonly shape: Shape;
  readonly order: number;
}

function moreSpecific(a: Candidate, b: Candidate): number {
  return a.shape.literal !== b.shape.literal
    ? b.shape.literal - a.shape.literal
    : a.shape.reserved !== b.shape.reserved
      ? a.shape.reserved - b.shape.reserved
      : a.order - b.order;
}

/** The routing of one server's resource reads, shared by every `proxy()` into it. */
export class Router {
  readonly #server: McpServer;
  /** Resource URIs registered by a proxy, and by which. */
  readonly #resources = new Map<string, Owner>();
  /** The decision for the URI core is matching now (cleared once the current task ends). */
  #decided: { uri: string; winner: UriTemplate | undefined } | undefined;

  constructor(server: McpServer) {
    this.#server = server;
  }

  claim(uri: string, owner: Owner): () => void {
    this.#resources.set(uri, owner);
    return () => {
      if (this.#resources.get(uri) === owner) this.#resources.delete(uri);
    };
  }

  /** Whether `template` takes `uri` (that it matches is known). */
  takes(template: UriTemplate, uri: string): boolean {
    // Core tries every template in turn for one URI, synchronously: decided once for them all.
    if (this.#decided?.uri !== uri) {
      this.#decided = { uri, winner: this.#winner(uri) };
      queueMicrotask(() => {
        this.#decided = undefined;
      });
    }
    return this.#decided.winner === template;
  }

  #winner(uri: string): UriTemplate | undefined {
    const resources = this.#server.registry("resources");
    if (resources.has(uri)) return undefined;
    const all: Candidate[] = [];
    let order = 0;
    for (const entry of this.#server.registry<{ template?: unknown }>("templates").values()) {
      const template = entry.template;
      if (!(template instanceof UriTemplate)) continue;
      const owner = template instanceof RoutedTemplate ? template.owner : SERVER;
      all.push({ template, owner, shape: shapeOf(template), order: order++ });
    }
    const matching = all
      .filter(({ template }) =>
        template instanceof RoutedTemplate ? template.fits(uri) : template.match(uri),
      )
      .sort(moreSpecific);
    if (matching.length === 0) return undefined;
    const namespaces = this.#namespaces(uri, all, resources.keys());
    for (const candidate of matching) {
      // The server's own templates are not routed: core gives the URI to the first that matches.
      if (candidate.owner === SERVER) return candidate.template;
      const own = candidate.shape.prefix.length;
      let claimed = false;
      for (const [owner, length] of namespaces) claimed ||= owner !== candidate.owner && length > own;
      if (!claimed) return candidate.template;
    }
    return undefined;
  }

  /**
   * Per owner, the longest of its namespaces `uri` lies in: its templates' literal prefixes and its
   * resources' schemes and authorities. One pass, whatever the number of candidates.
   */
  #namespaces(uri: string, all: readonly Candidate[], resources: Iterable<string>): Map<Owner, number> {
    const longest = new Map<Owner, number>();
    const note = (owner: Owner, namespace: string | undefined) => {
      if (namespace === undefined || !uri.startsWith(namespace)) return;
      if (namespace.length > (longest.get(owner) ?? -1)) longest.set(owner, namespace.length);
    };
    for (const { owner, shape } of all) note(owner, shape.prefix);
    for (const resource of resources)
      note(this.#resources.get(resource) ?? SERVER, resourceNamespace(resource));
    return longest;
  }
}

const routers = new WeakMap<McpServer, Router>();

/** A proxied upstream's resource template: it matches a URI only when the routing gives it the URI. */
export class RoutedTemplate extends UriTemplate {
  readonly owner: Owner;
  readonly #router: Router;

  constructor(template: string, owner: Owner, router: Router) {
    super(template);
    this.owner = owner;
    this.#router = router;
  }

  /** Whether the URI has this template's shape, whichever template takes it. */
  fits(uri: string): ReturnType<UriTemplate["match"]> {
    return super.match(uri);
  }

  override match(uri: string): ReturnType<UriTemplate["match"]> {
    const variables = super.match(uri);
    return variables !== undefined && this.#router.takes(this, uri) ? variables : undefined;
  }
}

/** How one `proxy()` registers its resources and templates for the routing. */
export interface UpstreamRouting {
  /** The upstream's template, routed. */
  template(text: string): UriTemplate;
  /** Records a resource URI registered for the upstream; the function returned forgets it. */
  claim(uri: string): () => void;
}

/** The routing of a new upstream on `server` (every `proxy()` into one server shares its rules). */
export function upstreamRouting(server: McpServer): UpstreamRouting {
  let router = routers.get(server);
  if (router === undefined) {
    router = new Router(server);
    routers.set(server, router);
  }
  const owner: Owner = Object.freeze({});
  const shared = router;
  return {
    template: (text) => new RoutedTemplate(text, owner, shared),
    claim: (uri) => shared.claim(uri, owner),
  };
}
