/**
 * Calling out: a body read up to a bound and no further (whatever the answer declares or sends),
 * and redirects followed within the first URL's origin only.
 */
import { describe, expect, it } from "vitest";
import {
  fetchWithinOrigin,
  isRedirectRefusal,
  MAX_REDIRECTS,
  readBoundedBytes,
  readBoundedText,
} from "../src/index.ts";

/** A body of `chunks`, recording whether it was cancelled and how many chunks were pulled. */
function streamed(chunks: Uint8Array[], headers: HeadersInit = {}) {
  const seen = { pulled: 0, cancelled: false };
  let i = 0;
  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        seen.pulled += 1;
        const chunk = chunks[i++];
        if (chunk === undefined) controller.close();
        else controller.enqueue(chunk);
      },
      cancel() {
        seen.cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  return { response: new Response(body, { headers }), seen };
}

const bytes = (n: number, fill = 120) => new Uint8Array(n).fill(fill);

describe("readBoundedBytes / readBoundedText", () => {
  it("reads a body of exactly the bound, in chunks", async () => {
    const { response } = streamed([bytes(3), bytes(4), bytes(3)]);
    expect(await readBoundedBytes(response, 10)).toEqual(bytes(10));
  });

  it("stops at the first chunk past the bound and cancels the rest", async () => {
    const { response, seen } = streamed([bytes(6), bytes(6), bytes(6), bytes(6)]);
    expect(await readBoundedBytes(response, 10)).toBeUndefined();
    expect(seen.pulled).toBe(2);
    expect(seen.cancelled).toBe(true);
  });

  it("refuses a declared Content-Length over the bound without reading", async () => {
    const { response, seen } = streamed([bytes(20)], { "content-length": "20" });
    expect(await readBoundedText(response, 10)).toBeUndefined();
    expect(seen.pulled).toBe(0);
    expect(seen.cancelled).toBe(true);
  });

  it("decodes UTF-8 split across chunks; an empty or absent body is empty", async () => {
    const euro = new TextEncoder().encode("a€b");
    const { response } = streamed([euro.slice(0, 2), euro.slice(2)]);
    expect(await readBoundedText(response, 5)).toBe("a€b");
    expect(await readBoundedText(new Response(null), 0)).toBe("");
    expect(await readBoundedBytes(new Response(""), 0)).toEqual(new Uint8Array(0));
  });

  it("rejects with the signal's reason when it aborts while a read waits", async () => {
    const body = new ReadableStream<Uint8Array>({ pull: () => new Promise(() => {}) });
    const controller = new AbortController();
    const reading = readBoundedText(new Response(body), 10, controller.signal);
    const reason = new Error("gave up");
    controller.abort(reason);
    await expect(reading).rejects.toBe(reason);
  });
});

/** A fetcher serving `routes` (URL → response maker), recording each request. */
function site(routes: Record<string, (init: RequestInit) => Response>) {
  const requests: { url: string; method: string; body: unknown; contentType: string | null }[] = [];
  const fetcher = async (url: string, init: RequestInit) => {
    expect(init.redirect).toBe("manual");
    requests.push({
      url,
      method: init.method ?? "GET",
      body: init.body ?? null,
      contentType: new Headers(init.headers).get("content-type"),
    });
    const route = routes[url];
    return route === undefined ? new Response("not found", { status: 404 }) : route(init);
  };
  return { fetcher, requests };
}

const redirect = (status: number, location: string) => () =>
  new Response(null, { status, headers: { location } });

describe("fetchWithinOrigin", () => {
  it("follows redirects within the origin, turning a POST into a GET where fetch would", async () => {
    const { fetcher, requests } = site({
      "https://api.example/a": redirect(307, "/b"),
      "https://api.example/b": redirect(302, "https://api.example/c?x=1"),
      "https://api.example/c?x=1": () => new Response("done"),
    });
    const headers = { "content-type": "application/json", "x-api-key": "secret" };
    const result = await fetchWithinOrigin(fetcher, "https://api.example/a", {
      method: "POST",
      headers,
      body: "{}",
    });
    expect(isRedirectRefusal(result)).toBe(false);
    expect(await (result as Response).text()).toBe("done");
    expect(requests).toEqual([
      { url: "https://api.example/a", method: "POST", body: "{}", contentType: "application/json" },
      // 307 resends the request as it was.
      { url: "https://api.example/b", method: "POST", body: "{}", contentType: "application/json" },
      // 302 after a POST: GET, no body, no Content-Type.
      { url: "https://api.example/c?x=1", method: "GET", body: null, contentType: null },
    ]);
  });

  it("a 303 becomes a GET, but for HEAD", async () => {
    const { fetcher, requests } = site({
      "https://api.example/a": redirect(303, "/b"),
      "https://api.example/b": () => new Response(null, { status: 204 }),
    });
    await fetchWithinOrigin(fetcher, "https://api.example/a", { method: "PUT", body: "x" });
    await fetchWithinOrigin(fetcher, "https://api.example/a", { method: "HEAD" });
    expect(requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      "PUT https://api.example/a",
      "GET https://api.example/b",
      "HEAD https://api.example/a",
      "HEAD https://api.example/b",
    ]);
  });

  it("does not follow a redirect to another origin, another scheme or port included", async () => {
    for (const location of [
      "https://evil.example/steal",
      "http://api.example/a",
      "https://api.example:8443/a",
      "//evil.example/a",
    ]) {
      const { fetcher, requests } = site({ "https://api.example/a": redirect(301, location) });
      const result = await fetchWithinOrigin(fetcher, "https://api.example/a", {
        headers: { "x-api-key": "k" },
      });
      expect(result, location).toEqual({
        refused: "other_origin",
        origin: new URL(location, "https://api.example/a").origin,
      });
      expect(requests).toHaveLength(1);
    }
  });

  it("refuses an unparsable location and stops after the most redirects", async () => {
    const invalid = site({ "https://api.example/a": redirect(302, "http://[::1") });
    expect(await fetchWithinOrigin(invalid.fetcher, "https://api.example/a", {})).toEqual({
      refused: "invalid_location",
      location: "http://[::1",
    });
    const loop = site({ "https://api.example/a": redirect(308, "/a") });
    expect(await fetchWithinOrigin(loop.fetcher, "https://api.example/a", {})).toEqual({
      refused: "too_many_redirects",
      max: MAX_REDIRECTS,
    });
    expect(loop.requests).toHaveLength(MAX_REDIRECTS + 1);
    const two = site({ "https://api.example/a": redirect(308, "/a") });
    expect(await fetchWithinOrigin(two.fetcher, "https://api.example/a", {}, 2)).toMatchObject({ max: 2 });
    expect(two.requests).toHaveLength(3);
  });

  it("answers a redirect status without a Location, and any other status, as it is", async () => {
    const { fetcher } = site({
      "https://api.example/a": () => new Response("moved", { status: 301 }),
      "https://api.example/b": () => new Response("nope", { status: 500 }),
    });
    expect(((await fetchWithinOrigin(fetcher, "https://api.example/a", {})) as Response).status).toBe(301);
    expect(((await fetchWithinOrigin(fetcher, "https://api.example/b", {})) as Response).status).toBe(500);
  });
});
