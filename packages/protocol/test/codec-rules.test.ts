// The codec's stated rules, checked across the whole generated codec (from the specs) and on
// hand-made frames: a non-default value for a field a version lacks is an EncodeError at every
// (message, version, field); unknown tagged fields are skipped, also inside array elements; a known
// tagged field must fill exactly the size it declares; every version of every API decodes mutated
// frames to a value or a DecodeError.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeRequestFrame, decodeResponseFrame, encodeRequestFrame, encodeResponseFrame } from '../src/frames.ts';
import type { ApiKey } from '../src/generated/api-keys.ts';
import { decodeFetchRequest, encodeFetchRequest } from '../src/generated/fetch-request.ts';
import { decodeMetadataRequest } from '../src/generated/metadata-request.ts';
import { DecodeError, EncodeError } from '../src/wire/errors.ts';
import { Reader } from '../src/wire/reader.ts';
import { Writer } from '../src/wire/writer.ts';
import type { StructModel } from '../../../scripts/protocol-gen/model.ts';
import { SPECS_SKIP, requireSpecs, SampleBuilder, ZERO_UUID, codecOf, defaultOf, messages } from './support/samples.ts';

const hex = (s: string) => Buffer.from(s.replace(/#[^\n]*/g, '').replace(/\s+/g, ''), 'hex');
const has = (r: { lo: number; hi: number }, v: number) => v >= r.lo && v <= r.hi;

// Every struct object inside a sample value (the first element of struct arrays), with its model.
function* structSlots(s: StructModel, obj: Record<string, unknown>): Generator<{ s: StructModel; obj: Record<string, unknown> }> {
  yield { s, obj };
  for (const f of s.fields) {
    const x = obj[f.prop];
    if (f.kind === 'struct' && x && typeof x === 'object') yield* structSlots(f.struct!, x as Record<string, unknown>);
    if (f.kind === 'array' && f.elem === 'struct' && Array.isArray(x) && x.length) yield* structSlots(f.struct!, x[0]);
  }
}

describe('encoding a field the version lacks', { skip: SPECS_SKIP }, () => {
  if (!requireSpecs()) return;
  it('is an EncodeError with a non-default value and fine with the default: every message, version and field, nested too', () => {
    let checked = 0;
    for (const m of messages()) {
      const { encode } = codecOf(m);
      for (let v = m.valid.lo; v <= m.valid.hi; v++) {
        const base = new SampleBuilder('values').struct(m.root, v).input;
        for (const { s, obj } of [...structSlots(m.root, base)]) {
          for (const f of s.fields) {
            if (f.ignorable || has(f.versions, v)) continue;
            const at = Math.max(f.versions.lo, m.valid.lo, s.versions.lo);
            if (at > Math.min(f.versions.hi, m.valid.hi, s.versions.hi)) continue; // never present
            const label = `${m.name} v${v} ${s.tsName}.${f.prop}`;
            obj[f.prop] = new SampleBuilder('values').struct(s, at).input[f.prop];
            assert.throws(() => encode(new Writer(), v, base), EncodeError, label);
            obj[f.prop] = defaultOf(f);
            encode(new Writer(), v, base);
            delete obj[f.prop];
            checked++;
          }
        }
      }
    }
    assert.ok(checked > 400, `${checked} (message, version, field) cases`);
  });
});

describe('tagged fields', () => {
  // FetchRequest v12 body with every regular field at its default and an empty topic list
  const FETCH_V12_REGULAR = `
    ffffffff 00000000 00000000 00000000 00   # replicaId -1, maxWaitMs, minBytes, maxBytes, isolationLevel
    00000000 00000000                        # sessionId, sessionEpoch
    01 01 01                                 # topics [], forgottenTopicsData [], rackId ""
  `;

  it('unknown tags are skipped around known ones', () => {
    const body = hex(`${FETCH_V12_REGULAR}
      03                  # three tagged fields
      00 03 03 6162       #   tag 0 (ClusterId), 3 bytes: "ab"
      07 02 7a7a          #   tag 7 (unknown), 2 bytes
      1e 00               #   tag 30 (unknown), 0 bytes
    `);
    const r = new Reader(body);
    assert.equal(decodeFetchRequest(r, 12).clusterId, 'ab');
    assert.equal(r.remaining, 0);
  });

  it('unknown tags inside array elements and at the end of the body are skipped', () => {
    const body = hex(`
      02 02 74              # topics: 1 element, name "t"
      01 05 02 6869         #   its tagged fields: tag 5 (unknown), 2 bytes
      01 00 00              # allowAutoTopicCreation, includeClusterAuthorizedOperations, includeTopicAuthorizedOperations
      01 0a 00              # body tagged fields: tag 10 (unknown), 0 bytes
    `);
    const r = new Reader(body);
    assert.deepEqual(decodeMetadataRequest(r, 9), {
      topics: [{ topicId: ZERO_UUID, name: 't' }],
      allowAutoTopicCreation: true,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    });
    assert.equal(r.remaining, 0);
  });

  it('a known tag whose content does not fill its declared size is a DecodeError', () => {
    // size 4 for a 3-byte string, then the 4th byte: this used to decode "ab" and leave a byte behind
    assert.throws(() => decodeFetchRequest(new Reader(hex(`${FETCH_V12_REGULAR} 01 00 04 03 6162 00`)), 12), DecodeError);
    // size 2 for a 3-byte string: overruns its size
    assert.throws(() => decodeFetchRequest(new Reader(hex(`${FETCH_V12_REGULAR} 01 00 02 03 6162`)), 12), DecodeError);
    // size beyond the buffer
    assert.throws(() => decodeFetchRequest(new Reader(hex(`${FETCH_V12_REGULAR} 01 00 7f 03 6162`)), 12), DecodeError);
    // and what our encoder writes fits exactly
    const w = new Writer();
    encodeFetchRequest(w, 15, { clusterId: 'c', replicaState: { replicaId: 3, replicaEpoch: 7n } });
    const back = decodeFetchRequest(new Reader(w.finish()), 15);
    assert.equal(back.clusterId, 'c');
    assert.deepEqual(back.replicaState, { replicaId: 3, replicaEpoch: 7n });
  });
});

describe('every version decodes mutated frames to a value or a DecodeError', { skip: SPECS_SKIP }, () => {
  if (!requireSpecs()) return;
  it('16 mutations of each request and response frame at every version', () => {
    let s = 2026;
    const rand = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296;
    const int = (n: number) => Math.floor(rand() * n);
    let frames = 0;
    for (const m of messages()) {
      if (m.kind !== 'request' && m.kind !== 'response') continue;
      const apiKey = m.apiKey as ApiKey;
      for (let v = m.valid.lo; v <= m.valid.hi; v++) {
        const body = new SampleBuilder(v % 2 ? 'nulls' : 'values').struct(m.root, v).input as never;
        const frame =
          m.kind === 'request'
            ? encodeRequestFrame({ apiKey, apiVersion: v, correlationId: 1, clientId: 'c' }, body).subarray(4)
            : encodeResponseFrame(apiKey, v, 1, body).subarray(4);
        for (let i = 0; i < 16; i++) {
          const b = Buffer.from(frame);
          const at = int(b.length);
          if (i % 4 === 0) b[at] = int(256);
          else if (i % 4 === 1) b.fill([0xff, 0x80, 0x7f][int(3)]!, at, Math.min(b.length, at + 1 + int(4)));
          else if (i % 4 === 2) b.copyWithin(at, at + 1 + int(6));
          const input = i % 4 === 3 ? b.subarray(0, at) : b;
          frames++;
          try {
            if (m.kind === 'request') decodeRequestFrame(input);
            else decodeResponseFrame(apiKey, v, input);
          } catch (e) {
            if (!(e instanceof DecodeError)) assert.fail(`${m.name} v${v}: ${(e as Error).name}: ${(e as Error).message}`);
          }
        }
      }
    }
    assert.ok(frames > 10_000, `${frames} frames`);
  });
});
