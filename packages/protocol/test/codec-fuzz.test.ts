// Fuzzes the decoders with mutated and truncated frames of valid requests and responses (every API
// key, lowest and highest version, built from the specs): each decode must either succeed or throw
// DecodeError, never another exception type, and must finish (the loop runs a fixed, seeded set).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeRequestFrame, decodeResponseFrame, encodeRequestFrame, encodeResponseFrame } from '../src/frames.ts';
import type { ApiKey } from '../src/generated/api-keys.ts';
import { DecodeError } from '../src/wire/errors.ts';
import { SPECS_SKIP, requireSpecs, SampleBuilder, messages } from './support/samples.ts';

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mutate(frame: Buffer, rand: () => number): Buffer {
  const int = (n: number) => Math.floor(rand() * n);
  const b = Buffer.from(frame);
  switch (int(5)) {
    case 0: // truncate
      return b.subarray(0, int(b.length));
    case 1: // flip a few bytes
      for (let i = 0, n = 1 + int(4); i < n && b.length; i++) b[int(b.length)] = int(256);
      return b;
    case 2: {
      // plant a length bomb: 0xff.. or 0x7f.. over 2-4 bytes
      if (b.length < 4) return b;
      const at = int(b.length - 3);
      const fill = [0xff, 0x7f, 0x80][int(3)]!;
      for (let i = 0; i < 2 + int(3) && at + i < b.length; i++) b[at + i] = fill;
      return b;
    }
    case 3: {
      // insert random bytes
      const at = int(b.length + 1);
      const extra = Buffer.from(Array.from({ length: 1 + int(8) }, () => int(256)));
      return Buffer.concat([b.subarray(0, at), extra, b.subarray(at)]);
    }
    default: {
      // delete a range
      const at = int(b.length + 1);
      return Buffer.concat([b.subarray(0, at), b.subarray(at + 1 + int(8))]);
    }
  }
}

function expectOnlyDecodeError(f: () => unknown, label: string): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof DecodeError)) assert.fail(`${label}: threw ${(e as Error)?.name}: ${(e as Error)?.message}`);
  }
}

describe('decoder fuzzing', { skip: SPECS_SKIP, timeout: 30_000 }, () => {
  if (!requireSpecs()) return;
  const requests: Buffer[] = [];
  const responses: { apiKey: ApiKey; version: number; frame: Buffer }[] = [];
  for (const m of messages()) {
    if (m.kind !== 'request' && m.kind !== 'response') continue;
    for (const version of new Set([m.valid.lo, m.valid.hi])) {
      for (const mode of ['values', 'nulls'] as const) {
        const body = new SampleBuilder(mode).struct(m.root, version).input as never;
        const apiKey = m.apiKey as ApiKey;
        if (m.kind === 'request') {
          requests.push(encodeRequestFrame({ apiKey, apiVersion: version, correlationId: 1, clientId: 'fuzz' }, body).subarray(4));
        } else {
          responses.push({ apiKey, version, frame: encodeResponseFrame(apiKey, version, 1, body).subarray(4) });
        }
      }
    }
  }

  it('the unmutated frames decode', () => {
    for (const f of requests) decodeRequestFrame(f);
    for (const r of responses) decodeResponseFrame(r.apiKey, r.version, r.frame);
  });

  it('3000 mutated request frames give success or DecodeError', () => {
    const rand = prng(0xc0dec);
    for (let i = 0; i < 3000; i++) {
      const frame = mutate(requests[Math.floor(rand() * requests.length)]!, rand);
      expectOnlyDecodeError(() => decodeRequestFrame(frame), `request #${i} ${frame.toString('hex').slice(0, 80)}`);
    }
  });

  it('2000 mutated response frames give success or DecodeError', () => {
    const rand = prng(0xbeef);
    for (let i = 0; i < 2000; i++) {
      const r = responses[Math.floor(rand() * responses.length)]!;
      const frame = mutate(r.frame, rand);
      expectOnlyDecodeError(() => decodeResponseFrame(r.apiKey, r.version, frame), `response #${i} api ${r.apiKey} v${r.version}`);
    }
  });

  it('every truncation of every request frame gives DecodeError', () => {
    for (const f of requests.slice(0, 60)) {
      for (let n = 0; n < f.length; n++) {
        assert.throws(() => decodeRequestFrame(f.subarray(0, n)), DecodeError);
      }
    }
  });
});
