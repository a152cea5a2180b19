/**
 * The adapter contract battery in a real Bun: a child process serves the battery's server through
 * `serve()` (fixtures/battery.ts), and the battery reads what that server saw from `/__battery`.
 */
import { describeAdapter } from "@portico/test-kit";
import { startBun } from "./_bun-process.ts";

interface BatteryState {
  aborted: boolean;
  errors: string[];
}

describeAdapter("bun serve (in Bun)", async () => {
  const bun = await startBun("battery.ts");
  if (!/^\d+\.\d+\.\d+/.test(bun.version)) {
    await bun.stop();
    throw new Error(`the fixture did not report a Bun version: ${bun.version}`);
  }
  const state = async (): Promise<BatteryState> =>
    (await (await fetch(`${bun.url}/__battery`)).json()) as BatteryState;
  return {
    url: `${bun.url}/mcp`,
    close: async () => {
      await bun.stop();
    },
    remote: {
      async aborted() {
        while (!(await state()).aborted) await new Promise((resolve) => setTimeout(resolve, 20));
      },
      errors: async () => (await state()).errors,
    },
  };
});
