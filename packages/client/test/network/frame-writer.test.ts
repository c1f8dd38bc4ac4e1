// Request frames as buffers: the concatenated chunks are byte for byte encodeRequestFrame's frame,
// record batches of ZERO_COPY_MIN bytes or more are the caller's own buffers (not copies), small
// fields are copied, and fields inside sized regions (tagged fields) stay in place.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiKey, Reader, decodeRequestFrame, encodeRequestFrame } from '@tributary/protocol';
import { ChunkedWriter, ZERO_COPY_MIN, encodeRequestChunks } from '../../src/network/frame-writer.ts';

const produceBody = (records: Buffer[]) => ({
  transactionalId: null,
  acks: 1,
  timeoutMs: 30000,
  topicData: [
    { name: 'orders', partitionData: records.slice(0, 2).map((r, i) => ({ index: i, records: r })) },
    { name: 'x'.repeat(300), partitionData: records.slice(2).map((r, i) => ({ index: i, records: r })) },
  ],
});

test('Produce frames: chunks equal encodeRequestFrame, large batches referenced', () => {
  const big = [Buffer.alloc(ZERO_COPY_MIN, 1), Buffer.alloc(100_000, 2), Buffer.alloc(ZERO_COPY_MIN - 1, 3), Buffer.alloc(70_000, 4)];
  for (const version of [3, 8, 9, 11]) {
    const header = { apiKey: ApiKey.Produce, apiVersion: version, correlationId: 77, clientId: 'c' };
    const body = produceBody(big);
    const chunks = encodeRequestChunks(header, body, 64);
    const whole = encodeRequestFrame(header, body);
    assert.deepEqual(Buffer.concat(chunks), whole, `v${version}`);
    // the three batches of at least ZERO_COPY_MIN bytes are the very same buffers
    assert.ok(chunks.includes(big[0]!) && chunks.includes(big[1]!) && chunks.includes(big[3]!), `v${version}`);
    assert.ok(!chunks.includes(big[2]!), 'a small batch is copied');
    assert.equal(chunks[0]!.readInt32BE(0), whole.length - 4);
    const decoded = decodeRequestFrame(Buffer.concat(chunks).subarray(4)) as { body: any };
    assert.deepEqual(decoded.body.topicData[1].partitionData[1].records, big[3]);
  }
});

test('small requests are one chunk, identical to encodeRequestFrame', () => {
  const header = { apiKey: ApiKey.Metadata, apiVersion: 12, correlationId: 5, clientId: 'client-1' };
  const body = {
    topics: [{ name: 'a', topicId: 'AAAAAAAAAAAAAAAAAAAAAA' }],
    allowAutoTopicCreation: true,
    includeTopicAuthorizedOperations: false,
  };
  const chunks = encodeRequestChunks(header, body);
  assert.equal(chunks.length, 1);
  assert.deepEqual(chunks[0], encodeRequestFrame(header, body));
});

test('ChunkedWriter keeps writing after a referenced field, and copies inside sized regions', () => {
  const w = new ChunkedWriter(16);
  w.writeInt32(7);
  const big = Buffer.alloc(ZERO_COPY_MIN + 10, 9);
  w.writeRaw(big);
  for (let i = 0; i < 200; i++) w.writeInt32(i); // grows past the rest of the first buffer
  const mark = w.beginSized();
  w.writeRaw(big); // inside a sized region: copied, so the prefix can be inserted before it
  w.endSized(mark);
  w.writeInt8(-1);
  assert.equal(w.totalLength, 4 + big.length + 800 + 2 + big.length + 1);
  const chunks = w.finishChunks();
  assert.equal(chunks[1], big);
  const all = Buffer.concat(chunks);
  assert.equal(all.length, w.totalLength);
  const r = new Reader(all);
  assert.equal(r.readInt32(), 7);
  assert.deepEqual(all.subarray(4, 4 + big.length), big);
  r.pos = 4 + big.length;
  for (let i = 0; i < 200; i++) assert.equal(r.readInt32(), i);
  assert.equal(r.readUVarint(), big.length);
  r.pos += big.length;
  assert.equal(r.readInt8(), -1);
});
