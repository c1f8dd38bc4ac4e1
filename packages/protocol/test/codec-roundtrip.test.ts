// Round trips every generated codec, built from Kafka's specs at test time: for every message
// (requests, responses, internal records), every version in validVersions, a sample with a
// non-default value in every field the version has (tagged ones included), and one with null in
// every field nullable at that version. decode(encode(x)) must equal x with defaults for fields the
// version lacks, consume every byte, and re-encoding the result must give identical bytes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Reader } from '../src/wire/reader.ts';
import { Writer } from '../src/wire/writer.ts';
import { SPECS_SKIP, requireSpecs, SampleBuilder, codecOf, messages, type Mode } from './support/samples.ts';

describe('generated codec round trips', { skip: SPECS_SKIP }, () => {
  if (!requireSpecs()) return;
  for (const m of messages()) {
    it(`${m.name} v${m.valid.lo}-${m.valid.hi}`, () => {
      const { decode, encode } = codecOf(m);
      for (let v = m.valid.lo; v <= m.valid.hi; v++) {
        for (const mode of ['values', 'nulls'] as Mode[]) {
          const { input, expected } = new SampleBuilder(mode).struct(m.root, v);
          const w = new Writer(16);
          encode(w, v, input);
          const bytes = Buffer.from(w.finish());
          const r = new Reader(bytes);
          const decoded = decode(r, v);
          assert.equal(r.pos, bytes.length, `${m.name} v${v} ${mode}: bytes left over`);
          assert.deepEqual(decoded, expected, `${m.name} v${v} ${mode}`);
          const w2 = new Writer();
          encode(w2, v, decoded);
          assert.ok(w2.finish().equals(bytes), `${m.name} v${v} ${mode}: re-encoding differs`);
        }
        // An empty value encodes as all defaults and decodes to them.
        const w = new Writer();
        encode(w, v, {});
        const decoded = decode(new Reader(w.finish()), v);
        const again = new Writer();
        encode(again, v, decoded);
        assert.ok(again.finish().equals(w.finish()), `${m.name} v${v}: defaults differ`);
      }
    });
  }
});
