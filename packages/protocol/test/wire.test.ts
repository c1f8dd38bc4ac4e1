// Reader and Writer primitives: exact bytes, varint limits, malformed input giving DecodeError
// (truncation, negative lengths, lengths beyond the buffer, over-long varints), zero-copy bytes,
// sized regions (tagged fields) that grow the buffer, and encoder version rules.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeMetadataRequest, encodeMetadataRequest } from '../src/generated/metadata-request.ts';
import { encodeFetchRequest } from '../src/generated/fetch-request.ts';
import { decodeProduceRequest, encodeProduceRequest } from '../src/generated/produce-request.ts';
import { encodeEndQuorumEpochRequest } from '../src/generated/end-quorum-epoch-request.ts';
import { DecodeError, EncodeError } from '../src/wire/errors.ts';
import { Reader } from '../src/wire/reader.ts';
import { Writer } from '../src/wire/writer.ts';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const written = (f: (w: Writer) => void) => {
  const w = new Writer(16);
  f(w);
  return w.finish();
};

describe('Writer', () => {
  it('writes primitives big-endian', () => {
    const b = written((w) => {
      w.writeInt8(-1);
      w.writeInt16(0x1234);
      w.writeInt32(-2);
      w.writeInt64(-3n);
      w.writeInt64(2 ** 40 + 5);
      w.writeUInt16(65535);
      w.writeUInt32(0xfffffffe);
      w.writeBool(true);
      w.writeFloat64(1.5);
    });
    assert.deepEqual(b, hex('ff 1234 fffffffe fffffffffffffffd 0000010000000005 ffff fffffffe 01 3ff8000000000000'));
  });
  it('writes varints like Kafka (zigzag for signed)', () => {
    assert.deepEqual(
      written((w) => w.writeUVarint(300)),
      hex('ac02'),
    );
    assert.deepEqual(
      written((w) => w.writeUVarint(0xffffffff)),
      hex('ffffffff0f'),
    );
    assert.deepEqual(
      written((w) => w.writeVarint(-1)),
      hex('01'),
    );
    assert.deepEqual(
      written((w) => w.writeVarint(-2147483648)),
      hex('ffffffff0f'),
    );
    assert.deepEqual(
      written((w) => w.writeVarlong(-1n)),
      hex('01'),
    );
    assert.deepEqual(
      written((w) => w.writeVarlong(-(2n ** 63n))),
      hex('ffffffffffffffffff01'),
    );
  });
  it('writes strings, compact strings, bytes and UUIDs', () => {
    assert.deepEqual(
      written((w) => w.writeString('hé')),
      hex('0003 68c3a9'),
    );
    assert.deepEqual(
      written((w) => w.writeNullableString(null)),
      hex('ffff'),
    );
    assert.deepEqual(
      written((w) => w.writeCompactString('hé')),
      hex('04 68c3a9'),
    );
    assert.deepEqual(
      written((w) => w.writeCompactNullableString(null)),
      hex('00'),
    );
    const long = 'x'.repeat(200);
    assert.deepEqual(
      written((w) => w.writeCompactString(long)),
      Buffer.concat([hex('c901'), Buffer.from(long)]),
    );
    assert.deepEqual(
      written((w) => w.writeCompactBytes(hex('0102'))),
      hex('03 0102'),
    );
    assert.deepEqual(
      written((w) => w.writeNullableBytes(null)),
      hex('ffffffff'),
    );
    assert.deepEqual(
      written((w) => w.writeUuid('AAAAAAAAAAAAAAAAAAAAAA')),
      Buffer.alloc(16),
    );
    assert.throws(() => written((w) => w.writeUuid('short')), EncodeError);
  });
  it('sized regions prefix their length, also when the buffer grows inside them', () => {
    for (const size of [0, 5, 127, 128, 300, 20000, 3000000]) {
      const b = written((w) => {
        w.writeInt8(7);
        const m = w.beginSized();
        w.writeRaw(Buffer.alloc(size, 0xab));
        w.endSized(m);
        w.writeInt8(9);
      });
      const r = new Reader(b);
      assert.equal(r.readInt8(), 7);
      assert.equal(r.readUVarint(), size);
      assert.ok(r.buf.subarray(r.pos, r.pos + size).every((x) => x === 0xab));
      r.skip(size);
      assert.equal(r.readInt8(), 9);
      assert.equal(r.remaining, 0);
    }
  });
});

describe('Reader', () => {
  it('reads what Writer wrote', () => {
    const b = written((w) => {
      w.writeVarint(-123456);
      w.writeVarlong(-(2n ** 62n));
      w.writeUVarint(0xffffffff);
      w.writeCompactNullableString('é');
      w.writeBytes(hex('0a0b'));
    });
    const r = new Reader(b);
    assert.equal(r.readVarint(), -123456);
    assert.equal(r.readVarlong(), -(2n ** 62n));
    assert.equal(r.readUVarint(), 0xffffffff);
    assert.equal(r.readCompactNullableString(), 'é');
    const bytes = r.readBytes();
    assert.deepEqual(bytes, hex('0a0b'));
    assert.equal(bytes.buffer, b.buffer, 'bytes are a view of the input, not a copy');
  });
  it('throws DecodeError on truncation, negative lengths and oversized lengths', () => {
    assert.throws(() => new Reader(hex('0000')).readInt32(), DecodeError);
    assert.throws(() => new Reader(hex('0005 6162')).readString(), DecodeError);
    assert.throws(() => new Reader(hex('fffe')).readNullableString(), DecodeError);
    assert.throws(() => new Reader(hex('ffff')).readString(), DecodeError);
    assert.throws(() => new Reader(hex('fffffffe')).readNullableBytes(), DecodeError);
    assert.throws(() => new Reader(hex('7fffffff 00')).readBytes(), DecodeError);
    assert.throws(() => new Reader(hex('fffffffe')).readArrayLength(), DecodeError);
    assert.throws(() => new Reader(hex('7fffffff 0000')).readArrayLength(), DecodeError);
    assert.throws(() => new Reader(hex('ffffffff0f')).readCompactArrayLength(), DecodeError);
    assert.throws(() => new Reader(hex('00')).readCompactString(), DecodeError);
    assert.throws(() => new Reader(hex('0a 6162')).readCompactBytes(), DecodeError);
    assert.throws(() => new Reader(hex('01 05 7f')).skipTaggedFields(), DecodeError);
  });
  it('rejects varints longer than 5 bytes and varlongs longer than 10', () => {
    assert.throws(() => new Reader(hex('ffffffffff01')).readUVarint(), DecodeError);
    assert.throws(() => new Reader(hex('8080')).readUVarint(), DecodeError);
    assert.throws(() => new Reader(hex('ffffffffffffffffffff01')).readVarlong(), DecodeError);
    assert.equal(new Reader(hex('ffffffffffffffffff01')).readVarlong(), -(2n ** 63n));
  });
  it('array lengths never exceed the bytes remaining (no huge allocations)', () => {
    // Metadata v1 claiming 1e9 topics in a 10-byte body.
    assert.throws(() => decodeMetadataRequest(new Reader(hex('3b9aca00 0001 61 0000')), 1), DecodeError);
  });
});

describe('encoder version rules', () => {
  it('a non-default value for a field the version lacks is an EncodeError; the default is fine', () => {
    assert.throws(() => encodeMetadataRequest(new Writer(), 3, { allowAutoTopicCreation: false }), EncodeError);
    encodeMetadataRequest(new Writer(), 3, { allowAutoTopicCreation: true });
    assert.throws(() => encodeMetadataRequest(new Writer(), 7, { includeTopicAuthorizedOperations: true }), EncodeError);
  });
  it('ignorable fields are dropped silently (Kafka semantics)', () => {
    encodeFetchRequest(new Writer(), 11, { clusterId: 'c' }); // ClusterId is ignorable, v12+
    encodeMetadataRequest(new Writer(), 9, { topics: [{ topicId: 'AQAAAAAAAAAAAAAAAAAAAA', name: 't' }] }); // TopicId: ignorable, v10+
    encodeEndQuorumEpochRequest(new Writer(), 1, { topics: [{ partitions: [{ preferredSuccessors: [1] }] }] });
  });
  it('null where the version does not allow it is an EncodeError', () => {
    assert.throws(() => encodeMetadataRequest(new Writer(), 0, { topics: null }), EncodeError);
    assert.throws(() => encodeMetadataRequest(new Writer(), 9, { topics: [{ name: null }] }), EncodeError); // nullable from v10
    encodeMetadataRequest(new Writer(), 10, { topics: [{ name: null }] });
  });
  it('unsupported versions are errors both ways', () => {
    assert.throws(() => encodeMetadataRequest(new Writer(), 13, {}), EncodeError);
    assert.throws(() => decodeMetadataRequest(new Reader(hex('00000000')), -1), DecodeError);
  });
  it('records are a zero-copy slice of the input', () => {
    const w = new Writer();
    const records = Buffer.from('pretend-record-batch');
    encodeProduceRequest(w, 9, { acks: -1, timeoutMs: 1000, topicData: [{ name: 't', partitionData: [{ index: 0, records }] }] });
    const input = Buffer.from(w.finish());
    const decoded = decodeProduceRequest(new Reader(input), 9);
    const got = decoded.topicData[0]!.partitionData[0]!.records!;
    assert.deepEqual(got, records);
    assert.equal(got.buffer, input.buffer);
  });
});
