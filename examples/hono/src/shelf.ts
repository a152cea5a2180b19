/**
 * Where the books live: one JSON record in a Portico `SessionStore` (the `sessions` store of the
 * handler's `Stores`), changed by compare-and-set. With the core's memory stores it is the
 * process's memory (Node, Workers, the in-process tests); on Vercel, which runs many instances
 * (and under `vercel dev`, which runs each request in a fresh process), it is whatever store the
 * MCP handler's legacy sessions use — the dev daemon's under `vercel dev`, a durable one deployed —
 * so a book one process adds is there for the next. A real API would use its own database.
 */
import type { JsonValue, SessionStore } from "@portico/core";
import type { Book, NewBook } from "./books.ts";

/** What the REST API needs of its storage. */
export interface Shelf {
  list(): Promise<Book[]>;
  get(id: string): Promise<Book | undefined>;
  add(book: NewBook): Promise<Book>;
  /** `false` when there was no such book. */
  remove(id: string): Promise<boolean>;
}

interface ShelfState {
  next: number;
  books: Book[];
}

/** A fresh shelf: one book. */
const seed = (): ShelfState => ({
  next: 2,
  books: [{ id: "b1", title: "Dune", author: "Frank Herbert", year: 1965 }],
});

/** A server-wide key of this app's own kind (no session: it is nobody's MCP session). */
const KEY = { kind: "books" } as const;
/** The store's records expire; every change renews the shelf for this long. */
const TTL_MS = 30 * 24 * 60 * 60_000;

export function storeShelf(store: SessionStore): Shelf {
  const read = async (): Promise<{ state: ShelfState; version?: number }> => {
    const record = await store.get(KEY);
    return record
      ? { state: record.value as unknown as ShelfState, version: record.version }
      : { state: seed() };
  };
  /** Applies `edit` to the latest state and writes it only if nobody wrote in between (else again). */
  const change = async <T>(edit: (state: ShelfState) => { state?: ShelfState; result: T }): Promise<T> => {
    for (let attempt = 0; attempt < 20; attempt++) {
      const { state, version } = await read();
      const { state: next, result } = edit(state);
      if (next === undefined) return result;
      const value = next as unknown as JsonValue;
      const written =
        version === undefined
          ? await store.create(KEY, value, TTL_MS)
          : await store.update(KEY, version, value, TTL_MS);
      if (written) return result;
    }
    throw new Error("the shelf kept changing under this write");
  };
  return {
    list: async () => (await read()).state.books,
    get: async (id) => (await read()).state.books.find((book) => book.id === id),
    add: (book) =>
      change(({ next, books }) => {
        const added: Book = { id: `b${next}`, ...book };
        return { state: { next: next + 1, books: [...books, added] }, result: added };
      }),
    remove: (id) =>
      change(({ next, books }) => {
        const kept = books.filter((book) => book.id !== id);
        return kept.length === books.length
          ? { result: false }
          : { state: { next, books: kept }, result: true };
      }),
  };
}
