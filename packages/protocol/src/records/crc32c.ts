// CRC-32C (Castagnoli), the checksum of record batch v2. Uses @node-rs/crc32 (prebuilt SIMD binary,
// ~16 GB/s here); falls back to a slicing-by-8 JavaScript table when the binary cannot load.
import { createRequire } from 'node:module';

type Crc32cFn = (input: Uint8Array, initial?: number) => number;

function loadNative(): Crc32cFn | null {
  try {
    const require = createRequire(import.meta.url);
    const mod = require('@node-rs/crc32') as { crc32c: (input: Uint8Array, initial?: number) => number };
    return (input, initial = 0) => mod.crc32c(input, initial) >>> 0;
  } catch {
    return null;
  }
}

const TABLES: Uint32Array[] = (() => {
  const tables: Uint32Array[] = [];
  const t0 = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t0[i] = c >>> 0;
  }
  tables.push(t0);
  for (let t = 1; t < 8; t++) {
    const prev = tables[t - 1]!;
    const cur = new Uint32Array(256);
    for (let i = 0; i < 256; i++) cur[i] = (prev[i]! >>> 8) ^ t0[prev[i]! & 0xff]!;
    tables.push(cur);
  }
  return tables;
})();

/** Pure JavaScript CRC-32C, slicing-by-8. Exported for tests and for platforms without the binary. */
export function crc32cJs(input: Uint8Array, initial = 0): number {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = TABLES as [
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
  ];
  let crc = ~initial >>> 0;
  let i = 0;
  const n = input.length;
  for (; i + 8 <= n; i += 8) {
    const a = (crc ^ (input[i]! | (input[i + 1]! << 8) | (input[i + 2]! << 16) | (input[i + 3]! << 24))) >>> 0;
    crc =
      t7[a & 0xff]! ^
      t6[(a >>> 8) & 0xff]! ^
      t5[(a >>> 16) & 0xff]! ^
      t4[a >>> 24]! ^
      t3[input[i + 4]!]! ^
      t2[input[i + 5]!]! ^
      t1[input[i + 6]!]! ^
      t0[input[i + 7]!]!;
  }
  for (; i < n; i++) crc = t0[(crc ^ input[i]!) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}

/** CRC-32C of `input` (continuing from `initial`), as an unsigned 32-bit number. */
export const crc32c: Crc32cFn = loadNative() ?? crc32cJs;
