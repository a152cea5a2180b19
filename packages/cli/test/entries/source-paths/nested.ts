// A local import of entries/source-paths.ts: its import.meta is its own, not the entry's.
export const nested = { url: import.meta.url, dirname: import.meta.dirname, filename: import.meta.filename };
