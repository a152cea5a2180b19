/**
 * Reading a request's trace: W3C `traceparent` (Trace Context, level 1: version `ff` and all-zero
 * ids are invalid, hex is lowercase, a version 00 value is exactly 55 characters, a later version
 * is read as 00 when what follows is `-…`) and AWS X-Ray's `Root=1-{8 hex}-{24 hex};Parent=…`.
 */
import { describe, expect, it } from "vitest";
import { parseTraceparent, parseXRay } from "../src/trace-context.ts";

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const SPAN = "00f067aa0ba902b7";

describe("traceparent", () => {
  it("reads version 00, its sampled flag, and a later version's first four fields", () => {
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-01`, "traceparent")).toStrictEqual({
      traceId: TRACE,
      parentSpanId: SPAN,
      sampled: true,
      source: "traceparent",
    });
    expect(parseTraceparent(` 00-${TRACE}-${SPAN}-02\t`, "meta")?.sampled).toBe(false);
    expect(parseTraceparent(`cc-${TRACE}-${SPAN}-09-what-comes-later`, "meta")?.sampled).toBe(true);
  });

  it("refuses what the specification calls invalid", () => {
    for (const value of [
      `ff-${TRACE}-${SPAN}-01`,
      `00-${"0".repeat(32)}-${SPAN}-01`,
      `00-${TRACE}-${"0".repeat(16)}-01`,
      `00-${TRACE.toUpperCase()}-${SPAN}-01`,
      `00-${TRACE}-${SPAN}-01-extra`,
      `cc-${TRACE}-${SPAN}-01.extra`,
      `00-${TRACE}-${SPAN}-01,00-${TRACE}-${SPAN}-01`,
      `0-${TRACE}-${SPAN}-01`,
      42,
    ]) {
      expect(parseTraceparent(value, "traceparent"), String(value)).toBeUndefined();
    }
  });
});

describe("X-Ray", () => {
  it("makes the root a W3C trace id, with Parent and Sampled", () => {
    expect(parseXRay(`Root=1-${TRACE.slice(0, 8)}-${TRACE.slice(8)};Parent=${SPAN};Sampled=0`)).toStrictEqual(
      {
        traceId: TRACE,
        parentSpanId: SPAN,
        sampled: false,
        source: "x-ray",
      },
    );
    expect(parseXRay("Root=2-5759e988-bd862e3fe1be46a994272793")).toBeUndefined();
    expect(parseXRay("Parent=53995c3f42cd8ad8;Sampled=1")).toBeUndefined();
  });

  it("never gives an all-zero trace or span id (both invalid in W3C Trace Context)", () => {
    expect(parseXRay(`Root=1-00000000-${"0".repeat(24)};Parent=${SPAN};Sampled=1`)).toBeUndefined();
    const noParent = parseXRay(`Root=1-5759e988-bd862e3fe1be46a994272793;Parent=${"0".repeat(16)}`);
    expect(noParent?.traceId).toBe("5759e988bd862e3fe1be46a994272793");
    expect(noParent?.parentSpanId).toBeUndefined();
  });
});
