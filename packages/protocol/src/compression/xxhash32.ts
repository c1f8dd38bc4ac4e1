// XXH32 (xxHash, 32-bit), used by the LZ4 frame format for its header, block and content
// checksums. Written from the xxHash specification; little-endian lanes, seed 0 unless given.
const P1 = 0x9e3779b1;
const P2 = 0x85ebca77;
const P3 = 0xc2b2ae3d;
const P4 = 0x27d4eb2f;
const P5 = 0x165667b1;

const rotl = (x: number, r: number): number => (x << r) | (x >>> (32 - r));

function round(acc: number, lane: number): number {
  return Math.imul(rotl((acc + Math.imul(lane, P2)) | 0, 13), P1);
}

function lane32(b: Uint8Array, i: number): number {
  return b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24);
}

export function xxhash32(input: Uint8Array, seed = 0): number {
  const len = input.length;
  let i = 0;
  let acc: number;
  if (len >= 16) {
    let v1 = (seed + P1 + P2) | 0;
    let v2 = (seed + P2) | 0;
    let v3 = seed | 0;
    let v4 = (seed - P1) | 0;
    for (; i + 16 <= len; i += 16) {
      v1 = round(v1, lane32(input, i));
      v2 = round(v2, lane32(input, i + 4));
      v3 = round(v3, lane32(input, i + 8));
      v4 = round(v4, lane32(input, i + 12));
    }
    acc = (rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18)) | 0;
  } else {
    acc = (seed + P5) | 0;
  }
  acc = (acc + len) | 0;
  for (; i + 4 <= len; i += 4) acc = Math.imul(rotl((acc + Math.imul(lane32(input, i), P3)) | 0, 17), P4);
  for (; i < len; i++) acc = Math.imul(rotl((acc + Math.imul(input[i]!, P5)) | 0, 11), P1);
  acc ^= acc >>> 15;
  acc = Math.imul(acc, P2);
  acc ^= acc >>> 13;
  acc = Math.imul(acc, P3);
  acc ^= acc >>> 16;
  return acc >>> 0;
}
