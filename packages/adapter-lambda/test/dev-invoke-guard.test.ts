/**
 * The dev server's check of Invoke API requests (`invokeRefusal`): a loopback `Host` or the server's
 * own listening address passes, with any port; anything else, a missing `Host`, or any `Origin` is
 * refused with a message naming what was wrong.
 */
import { describe, expect, it } from "vitest";
import { invokeRefusal } from "../src/dev/_invoke-guard.ts";

describe("invokeRefusal", () => {
  it("lets loopback names and addresses through, with or without a port, in any case", () => {
    for (const host of [
      "localhost",
      "localhost:3000",
      "LOCALHOST:3000",
      "127.0.0.1",
      "127.0.0.1:9",
      "[::1]",
      "[::1]:3000",
    ]) {
      expect(invokeRefusal({ host }, "127.0.0.1"), host).toBeUndefined();
    }
  });

  it("lets the server's own listening address through", () => {
    expect(invokeRefusal({ host: "192.168.1.10:3000" }, "192.168.1.10")).toBeUndefined();
    expect(invokeRefusal({ host: "[fd00::5]:3000" }, "[fd00::5]")).toBeUndefined();
  });

  it("refuses any other Host, quoting it", () => {
    for (const host of [
      "evil.example:3000",
      "evil.example",
      "localhost.evil.example",
      "127.0.0.1.nip.io:3000",
      "127.0.0.1:3000.evil.example",
      "localhost:3000:1",
      "[::1",
      ":3000",
    ]) {
      expect(invokeRefusal({ host }, "127.0.0.1"), host).toContain(JSON.stringify(host));
    }
    expect(invokeRefusal({ host: "192.168.1.10:3000" }, "127.0.0.1")).toContain("192.168.1.10");
  });

  it("refuses a request without a Host", () => {
    expect(invokeRefusal({}, "127.0.0.1")).toMatch(/Host/);
  });

  it("refuses any Origin, even a loopback one", () => {
    for (const origin of ["http://127.0.0.1:3000", "http://localhost:3000", "null", "https://evil.example"]) {
      expect(invokeRefusal({ host: "127.0.0.1:3000", origin }, "127.0.0.1"), origin).toMatch(/Origin/);
    }
  });

  it("cuts a long refused value", () => {
    const message = invokeRefusal({ host: `${"a".repeat(500)}.example` }, "127.0.0.1") ?? "";
    expect(message.length).toBeLessThan(300);
  });
});
