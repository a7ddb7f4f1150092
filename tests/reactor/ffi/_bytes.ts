/** Byte helpers for the FFI transport tests. */

/** The first index where `a` and `b` differ, or -1 (a diff of megabytes is too slow to print). */
export function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.byteLength, b.byteLength);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.byteLength === b.byteLength ? -1 : n;
}
