/**
 * `maxMessageBytes` is in bytes for SSE events too: text outside ASCII takes 2–4 UTF-8 bytes a
 * character, so an event of `€` (3 bytes each) over the bound is refused even though its character
 * count is under it; ASCII up to the bound passes.
 */
import { describe, expect, it } from "vitest";
import { readSse } from "../src/sse.ts";

const encoder = new TextEncoder();

function body(text: string, chunk = 64 * 1024): ReadableStream<Uint8Array> {
  const bytes = encoder.encode(text);
  let at = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.subarray(at, at + chunk));
      at += chunk;
    },
  });
}

async function events(text: string, max: number): Promise<string[]> {
  const out: string[] = [];
  for await (const event of readSse(body(text), max)) out.push(event.data);
  return out;
}

describe("readSse's bound", () => {
  const max = 1024 * 1024;

  it("refuses an event whose UTF-8 bytes are over the bound though its characters are not", async () => {
    const euros = "€".repeat(400_000); // 400 000 characters, 1 200 000 bytes
    await expect(events(`data: ${euros}\n\n`, max)).rejects.toThrow();
    // The same over several data lines, and as one line arriving in many chunks.
    const lines = Array.from({ length: 4 }, () => `data: ${"€".repeat(100_000)}`).join("\n");
    await expect(events(`${lines}\n\n`, max)).rejects.toThrow();
  });

  it("passes ASCII and two-byte text within the bound, whole", async () => {
    const ascii = "a".repeat(max - 1000);
    expect(await events(`data: ${ascii}\n\n`, max)).toStrictEqual([ascii]);
    const accents = "é".repeat(300_000); // 600 000 bytes
    expect(await events(`data: ${accents}\n\nid: 2\ndata: 🙂\n\n`, max)).toStrictEqual([accents, "🙂"]);
  });
});
