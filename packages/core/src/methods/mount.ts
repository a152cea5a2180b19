/**
 * `mount(server, prefix, child)`: serves every tool, prompt, resource and resource template of
 * another server definition under a prefix, and keeps following it (definitions the child adds or
 * removes later appear on or leave the parent, which emits `list_changed`).
 */
import type { HandlerContext } from "../definition/context.ts";
import type { Middleware } from "../definition/method.ts";
import { type ListKind, McpServer, type Registration, type ServerEvent } from "../definition/server.ts";
import { checkTagFilter, passes, type TagFilter } from "../definition/tags.ts";
import type { ResourceContents } from "../definition/types.ts";
import { PorticoError } from "../errors.ts";
import { UriTemplate } from "../uri-template/index.ts";
import { prefixUri, unprefixUri } from "./_mount-uri.ts";
import { runChain } from "./chain.ts";
import type { PromptEntry } from "./prompts.ts";
import type { ResourceEntry, ResourceReturn, TemplateEntry } from "./resources.ts";
import { TOOL_NAME, TOOL_NAME_RULE } from "./tool-name.ts";
import type { ToolEntry } from "./tools.ts";

export interface MountOptions {
  /** Which of the child's definitions are mounted, by their `tags` (default: all it exposes). */
  tags?: TagFilter;
}

const PREFIX = /^[A-Za-z0-9_-]{1,64}$/;

/** The families a mount brings to the parent (others of the child, e.g. tasks, stay its own). */
const FAMILIES = new Set(["tools", "prompts", "resources", "completion"]);

interface Configured {
  config: { use?: Middleware[]; tags?: readonly string[] };
}

/** Each server's mounted children (one entry per live mount), to refuse a mount that closes a cycle. */
const childrenOf = new WeakMap<McpServer, McpServer[]>();

/** Whether `target` is `from` or mounted into it, directly or through other mounts. */
function reaches(from: McpServer, target: McpServer): boolean {
  const seen = new Set<McpServer>();
  const todo = [from];
  for (let next = todo.pop(); next !== undefined; next = todo.pop()) {
    if (next === target) return true;
    if (seen.has(next)) continue;
    seen.add(next);
    todo.push(...(childrenOf.get(next) ?? []));
  }
  return false;
}

/** How one kind of definition is mounted: its registry, the parent's key and the parent's entry. */
interface Kind {
  registry: string;
  what: string;
  changes: ListKind;
  key(childKey: string): string;
  wrap(entry: Configured, key: string): Configured;
}

/**
 * Serves every tool, prompt, resource and resource template `child` exposes through `server`:
 * tool and prompt names become `${prefix}_${name}`, resource URIs and URI templates get the prefix
 * after their `://` (`note://a` → `note://calc/a`; without `://`: `calc+urn:a`). Calls run through
 * `server`'s middleware, then `child`'s, then the definition's own `use`; the child's handlers see
 * their own arguments and URIs. Live: the child's later additions and removals follow, and its
 * `resourceUpdated` reaches `server`'s subscribers under the prefixed URI. `remove()` unmounts.
 *
 * Throws `PorticoError` `invalid_prefix`, `invalid_mount` (mounting a server into itself, or into
 * a server the child already serves through its own mounts: a cycle),
 * `invalid_name` (a prefixed tool name breaking the tool name rule) or `duplicate` (a name the
 * parent has already); a later child registration that would clash throws the same, and is undone.
 */
export function mount(
  server: McpServer,
  prefix: string,
  child: McpServer,
  options: MountOptions = {},
): Registration {
  if (typeof prefix !== "string" || !PREFIX.test(prefix))
    throw new PorticoError("invalid_prefix", `Mount prefix "${prefix}" must match ${PREFIX}`);
  if (!(server instanceof McpServer) || !(child instanceof McpServer))
    throw new PorticoError("invalid_mount", "mount() takes two McpServer definitions");
  if (child === server) throw new PorticoError("invalid_mount", "A server cannot be mounted into itself");
  if (reaches(child, server)) {
    throw new PorticoError(
      "invalid_mount",
      `mount "${prefix}": the child already serves this server through its own mounts (a mount cycle)`,
    );
  }
  checkTagFilter(options.tags, `mount "${prefix}"`);
  const filter = options.tags;
  // The child's `server.use`, read at each call so that middleware it adds later applies too.
  const childUse: Middleware = (call, next) => runChain(child.middleware, call, () => next());
  const withUse = <C extends Configured["config"]>(config: C): C => ({
    ...config,
    use: [childUse, ...(config.use ?? [])],
  });
  const toParent = (uri: string) => prefixUri(prefix, uri);
  /**
   * A tool's `_meta` with each reference to one of the child's resources (a string equal to its URI:
   * an MCP App's `ui.resourceUri`) moved under the prefix, as the resource itself is.
   */
  const relinked = (value: unknown, depth = 0): unknown => {
    if (typeof value === "string") return child.registry("resources").has(value) ? toParent(value) : value;
    if (depth >= 4 || typeof value !== "object" || value === null) return value;
    if (Array.isArray(value)) return value.map((item) => relinked(item, depth + 1));
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, relinked(v, depth + 1)]));
  };
  const contents = (returned: ResourceReturn): ResourceReturn => {
    const fix = (list: ResourceContents[]) => list.map((c) => ({ ...c, uri: toParent(c.uri) }));
    return Array.isArray(returned) ? fix(returned) : { ...returned, contents: fix(returned.contents) };
  };

  const named = (tool: boolean) => (name: string) => {
    const key = `${prefix}_${name}`;
    if (tool && !TOOL_NAME.test(key))
      throw new PorticoError(
        "invalid_name",
        `mount "${prefix}": tool name "${key}" must be ${TOOL_NAME_RULE}`,
      );
    return key;
  };
  const kinds: Kind[] = [
    {
      registry: "tools",
      what: "Tool",
      changes: "tools",
      key: named(true),
      wrap: (e, key) => {
        const entry = e as ToolEntry;
        const config = withUse(entry.config);
        if (config._meta !== undefined) config._meta = relinked(config._meta) as Record<string, unknown>;
        return { ...entry, name: key, config };
      },
    },
    {
      registry: "prompts",
      what: "Prompt",
      changes: "prompts",
      key: named(false),
      wrap: (e, key) => ({ ...(e as PromptEntry), name: key, config: withUse((e as PromptEntry).config) }),
    },
    {
      registry: "resources",
      what: "Resource",
      changes: "resources",
      key: toParent,
      wrap: (e, key): ResourceEntry => {
        const entry = e as ResourceEntry;
        return {
          uri: key,
          config: withUse(entry.config),
          read: async (_uri: string, ctx: HandlerContext) => contents(await entry.read(entry.uri, ctx)),
        };
      },
    },
    {
      registry: "templates",
      what: "Resource template",
      changes: "resources",
      key: toParent,
      wrap: (e, key): TemplateEntry => {
        const entry = e as TemplateEntry;
        const authority = entry.template.template.includes("://");
        const list = entry.config.list;
        return {
          template: new UriTemplate(key),
          config: {
            ...withUse(entry.config),
            ...(list && {
              list: async () => (await list()).map((r) => ({ ...r, uri: toParent(r.uri) })),
            }),
          },
          read: async (uri, variables, ctx) =>
            contents(await entry.read(unprefixUri(prefix, uri, authority) ?? uri, variables, ctx)),
        };
      },
    },
  ];

  /** Child key → the child's entry and its registration on the parent, per registry. */
  const mounted = new Map(
    kinds.map((k) => [k.registry, new Map<string, { entry: unknown; reg: Registration }>()]),
  );

  const sync = (kind: Kind): void => {
    for (const family of child.families()) if (FAMILIES.has(family.name)) server.install(family);
    const source = child.registry<Configured>(kind.registry);
    const done = mounted.get(kind.registry) as Map<string, { entry: unknown; reg: Registration }>;
    for (const [key, m] of done) {
      if (source.get(key) === m.entry) continue;
      done.delete(key);
      m.reg.remove();
    }
    let failure: unknown;
    for (const [key, entry] of source) {
      if (done.has(key) || !passes(filter, entry.config.tags)) continue;
      try {
        const parentKey = kind.key(key);
        const reg = server.register(
          kind.registry,
          kind.what,
          parentKey,
          kind.wrap(entry, parentKey),
          kind.changes,
        );
        done.set(key, { entry, reg });
      } catch (error) {
        failure ??=
          error instanceof PorticoError && error.code === "duplicate"
            ? new PorticoError("duplicate", `mount "${prefix}": ${error.message}`, { cause: error })
            : error;
      }
    }
    if (failure !== undefined) throw failure;
  };

  let live = true;
  const unmount = (): void => {
    if (live) {
      live = false;
      const siblings = childrenOf.get(server) ?? [];
      const at = siblings.indexOf(child);
      if (at >= 0) siblings.splice(at, 1);
    }
    unsubscribe();
    // One `list_changed` per kind, as mounting sent, not one per definition the child had.
    server.batch(() => {
      for (const done of mounted.values()) {
        for (const m of done.values()) m.reg.remove();
        done.clear();
      }
    });
  };

  const onEvent = (event: ServerEvent): void => {
    if (event.type === "resource_updated") {
      if (isMounted(event.uri)) server.resourceUpdated(toParent(event.uri));
      return;
    }
    // One change of the child (a batch of many definitions) is one list_changed of the parent too.
    server.batch(() => {
      for (const kind of kinds) if (kind.changes === event.kind) sync(kind);
    });
  };
  const isMounted = (uri: string): boolean => {
    if (mounted.get("resources")?.has(uri)) return true;
    for (const m of mounted.get("templates")?.values() ?? [])
      if ((m.entry as TemplateEntry).template.match(uri) !== undefined) return true;
    return false;
  };

  const unsubscribe = child.subscribe(onEvent);
  childrenOf.set(server, [...(childrenOf.get(server) ?? []), child]);
  try {
    server.batch(() => {
      for (const kind of kinds) sync(kind);
    });
  } catch (error) {
    unmount();
    throw error;
  }
  return { remove: unmount };
}
