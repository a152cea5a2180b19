/** Registration: what `addAppResource` and `addAppTool` refuse, and how HTML given as a function loads. */
import { McpServer, PorticoError } from "@portico/core";
import { describe, expect, it } from "vitest";
import { APP_MIME_TYPE, addAppResource, addAppTool } from "../src/index.ts";
import { appsHandler, HTML, modern } from "./_server.ts";

const server = () => new McpServer({ name: "t", version: "1.0.0" });

function refusal(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(PorticoError);
    return { code: (error as PorticoError).code, message: (error as Error).message };
  }
  throw new Error("expected a PorticoError");
}

describe("addAppResource", () => {
  it("refuses a URI that is not ui://", () => {
    for (const uri of ["https://example.com/app.html", "ui://", "ui:/x", "UI://x", "ui://a b"]) {
      expect(refusal(() => addAppResource(server(), uri, { html: HTML })).code, uri).toBe("invalid_ui_uri");
    }
    expect(refusal(() => addAppResource(server(), "app.html", { html: HTML })).message).toContain(
      'is not a ui:// URI (e.g. "ui://charts/sales.html")',
    );
  });

  it("refuses a URI with control characters, as it does white space", () => {
    // RFC 3986 has no control characters in a URI; a host may cut the URI at a NUL.
    for (const uri of ["ui://a\u0000b", "ui://a\u0007", "ui://a\u007f", "ui://a\u0085b"]) {
      expect(refusal(() => addAppResource(server(), uri, { html: HTML })).code, JSON.stringify(uri)).toBe(
        "invalid_ui_uri",
      );
    }
  });

  it("refuses a domain whose scheme is not http or https", () => {
    // The spec's domain is the view's sandbox origin: javascript: or data: is no origin.
    for (const domain of ["javascript://x", "data://x", "file://host"]) {
      expect(refusal(() => addAppResource(server(), "ui://a", { html: HTML, domain })).message).toContain(
        "is not a host name or an origin",
      );
    }
    for (const domain of [
      "a904794854a047f6.claudemcpcontent.com",
      "https://www-example-com.oaiusercontent.com",
    ]) {
      expect(() => addAppResource(server(), "ui://a", { html: HTML, domain })).not.toThrow();
    }
  });

  it("refuses empty HTML and HTML that is neither a string nor a function", () => {
    expect(refusal(() => addAppResource(server(), "ui://a", { html: "  \n" })).message).toBe(
      'App resource "ui://a": html must be a non-empty HTML document, got an empty string',
    );
    expect(refusal(() => addAppResource(server(), "ui://a", { html: 42 as never })).code).toBe(
      "invalid_app_resource",
    );
  });

  it("refuses CSP entries that are not origins, naming the directive and index", () => {
    const bad = [
      "https://api.example.com/v1",
      "https://api.example.com/",
      "api.example.com",
      "*",
      "'self'",
      "data:",
      "javascript://x",
      "https://user@api.example.com",
      "https://*",
    ];
    for (const origin of bad) {
      const { message } = refusal(() =>
        addAppResource(server(), "ui://a", {
          html: HTML,
          csp: { connectDomains: ["https://ok.example", origin] },
        }),
      );
      expect(message, origin).toContain(`csp.connectDomains[1] ${JSON.stringify(origin)} is not an origin`);
    }
    for (const origin of [
      "https://a.example",
      "http://localhost:8080",
      "wss://rt.example",
      "https://*.cdn.example",
    ]) {
      expect(() =>
        addAppResource(server(), "ui://a", { html: HTML, csp: { frameDomains: [origin] } }),
      ).not.toThrow();
    }
    expect(
      refusal(() => addAppResource(server(), "ui://a", { html: HTML, csp: { scriptDomains: [] } as never }))
        .message,
    ).toContain("csp has unknown field(s) scriptDomains");
  });

  it("refuses unknown permissions, a malformed domain, a non-boolean prefersBorder, and _meta.ui", () => {
    expect(
      refusal(() => addAppResource(server(), "ui://a", { html: HTML, permissions: ["usb" as never] }))
        .message,
    ).toContain('permission "usb" is not one of "camera", "microphone", "geolocation", "clipboardWrite"');
    expect(
      refusal(() => addAppResource(server(), "ui://a", { html: HTML, domain: "a b; c" })).message,
    ).toContain("is not a host name or an origin");
    expect(
      refusal(() => addAppResource(server(), "ui://a", { html: HTML, prefersBorder: "yes" as never })).code,
    ).toBe("invalid_app_resource");
    expect(
      refusal(() => addAppResource(server(), "ui://a", { html: HTML, _meta: { ui: {} } })).message,
    ).toContain("not _meta.ui");
  });

  it("refuses a duplicate URI", () => {
    const s = server();
    addAppResource(s, "ui://a", { html: HTML });
    expect(refusal(() => addAppResource(s, "ui://a", { html: HTML })).code).toBe("duplicate");
  });

  it("sets no _meta.ui when nothing is declared: hosts apply their restrictive default CSP", async () => {
    const s = server();
    addAppResource(s, "ui://plain", { html: HTML, csp: { connectDomains: [] }, permissions: [] });
    const read = await modern(appsHandler(s), "resources/read", { uri: "ui://plain" });
    expect(read.result.contents).toEqual([{ uri: "ui://plain", mimeType: APP_MIME_TYPE, text: HTML }]);
  });

  it("loads HTML from a function once, retries after a failure, and hides the failure from clients", async () => {
    const s = server();
    let calls = 0;
    addAppResource(s, "ui://lazy", {
      html: async () => {
        calls++;
        if (calls === 1) throw new Error("/secret/path/chart.html: ENOENT");
        if (calls === 2) return "";
        return HTML;
      },
    });
    const handler = appsHandler(s);
    const failed = await modern(handler, "resources/read", { uri: "ui://lazy" });
    expect(failed.error?.code).toBe(-32603);
    expect(JSON.stringify(failed)).not.toContain("secret");
    const empty = await modern(handler, "resources/read", { uri: "ui://lazy" });
    expect(empty.error?.code).toBe(-32603);
    for (let i = 0; i < 2; i++) {
      const read = await modern(handler, "resources/read", { uri: "ui://lazy" });
      expect(read.result.contents[0].text).toBe(HTML);
    }
    expect(calls).toBe(3);
  });
});

describe("addAppTool", () => {
  it("refuses a UI resource the server does not have, saying to register it first", () => {
    const { code, message } = refusal(() => addAppTool(server(), "t", { ui: "ui://missing" }, () => "x"));
    expect(code).toBe("unknown_ui");
    expect(message).toBe(
      'App tool "t" links the UI resource "ui://missing", which this server does not have: register it first with addAppResource(server, "ui://missing", { html, … })',
    );
    expect(refusal(() => addAppTool(server(), "t", { ui: "https://x" }, () => "x")).code).toBe(
      "invalid_ui_uri",
    );
  });

  it("refuses a UI resource of another server, and one removed", () => {
    const a = server();
    const b = server();
    const registration = addAppResource(a, "ui://a", { html: HTML });
    expect(refusal(() => addAppTool(b, "t", { ui: "ui://a" }, () => "x")).code).toBe("unknown_ui");
    registration.remove();
    expect(refusal(() => addAppTool(a, "t", { ui: "ui://a" }, () => "x")).code).toBe("unknown_ui");
  });

  it("a stale remove() of a view does not forget the view registered again under its URI", () => {
    // Core ignores a Registration removed twice; the link check must agree with what is served.
    const s = server();
    const first = addAppResource(s, "ui://a", { html: HTML });
    first.remove();
    addAppResource(s, "ui://a", { html: HTML });
    first.remove();
    expect(() => addAppTool(s, "t", { ui: "ui://a" }, () => "x")).not.toThrow();
  });

  it("refuses a malformed visibility and a UI link in _meta", () => {
    const s = server();
    addAppResource(s, "ui://a", { html: HTML });
    for (const visibility of [[], ["agent"], ["app", "app"]]) {
      const { message } = refusal(() =>
        addAppTool(s, "t", { ui: { resourceUri: "ui://a", visibility: visibility as never } }, () => "x"),
      );
      expect(message, JSON.stringify(visibility)).toContain('visibility must list "model", "app" or both');
    }
    expect(
      refusal(() => addAppTool(s, "t", { ui: "ui://a", _meta: { ui: {} } }, () => "x")).message,
    ).toContain("link its UI with the ui option");
    expect(
      refusal(() => addAppTool(s, "t", { ui: "ui://a", _meta: { "ui/resourceUri": "ui://a" } }, () => "x"))
        .code,
    ).toBe("invalid_app_tool");
  });

  it("keeps the tool's own _meta next to the UI link, and core's checks still apply", async () => {
    const s = server();
    addAppResource(s, "ui://a", { html: HTML });
    addAppTool(s, "t", { ui: "ui://a", _meta: { "com.example/owner": "team-a" } }, () => "x");
    const { result } = await modern(appsHandler(s), "tools/list");
    expect(result.tools[0]._meta).toEqual({
      "com.example/owner": "team-a",
      ui: { resourceUri: "ui://a" },
      "ui/resourceUri": "ui://a",
    });
    expect(refusal(() => addAppTool(s, "t", { ui: "ui://a" }, () => "x")).code).toBe("duplicate");
    expect(refusal(() => addAppTool(s, "bad name!", { ui: "ui://a" }, () => "x")).code).toBe("invalid_name");
  });
});
