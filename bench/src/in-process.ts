/**
 * (a) In-process throughput: `handler.fetch(new Request(...))` awaited in a loop, no network.
 */
import { loadPorticoBaseline } from "./apps/portico-baseline.ts";
import type { Baseline, BaselineName } from "./baseline.ts";
import { type CallSpec, prepareCall, verify } from "./requests.ts";
import {
  createTarget,
  type Era,
  type FetchTarget,
  SUPPORTED_ERAS,
  TARGETS,
  type TargetName,
} from "./targets.ts";

const URL_ = "http://127.0.0.1/mcp";

export interface InProcessCase {
  target: TargetName | BaselineName;
  era: Era;
  handler: FetchTarget;
  call: CallSpec;
}

function request(call: CallSpec): Request {
  return new Request(URL_, { method: "POST", headers: call.headers, body: call.body });
}

async function prepareCase(
  target: TargetName | BaselineName,
  era: Era,
  handler: FetchTarget,
): Promise<InProcessCase> {
  const send = (headers: Record<string, string>, body: string) =>
    handler.fetch(new Request(URL_, { method: "POST", headers, body }));
  const call = await prepareCall(era, send);
  await verify(await handler.fetch(request(call)), `in-process ${target}/${era}`);
  return { target, era, handler, call };
}

/**
 * Builds every supported target × era and checks each answers a correct sum. With a baseline (and
 * Portico among the targets) the old Portico's case follows Portico's in each era, so the two run
 * back to back in every round.
 */
export async function prepareInProcess(baseline?: Baseline): Promise<InProcessCase[]> {
  const old =
    baseline !== undefined && TARGETS.includes("portico")
      ? { name: baseline.name, handler: await loadPorticoBaseline(baseline.modules.core) }
      : undefined;
  const cases: InProcessCase[] = [];
  for (const target of TARGETS) {
    const handler = createTarget(target);
    for (const era of SUPPORTED_ERAS[target]) {
      cases.push(await prepareCase(target, era, handler));
      if (target === "portico" && old !== undefined)
        cases.push(await prepareCase(old.name, era, old.handler));
    }
  }
  return cases;
}

/** Runs the loop for `durationMs`; returns requests per second. Every 1000th response is re-verified. */
export async function measureInProcess(c: InProcessCase, durationMs: number): Promise<number> {
  const start = performance.now();
  const end = start + durationMs;
  let count = 0;
  let now = start;
  while (now < end) {
    for (let i = 0; i < 50; i++) {
      const response = await c.handler.fetch(request(c.call));
      if (count % 1000 === 0) await verify(response, `in-process ${c.target}/${c.era}`);
      else await response.arrayBuffer();
      count++;
    }
    now = performance.now();
  }
  return (count * 1000) / (now - start);
}
