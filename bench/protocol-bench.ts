// Protocol micro-benchmarks (not a test): MB/s for CRC-32C, batch validation + offset rewrite,
// decode of a 1 MiB Produce request and encode of a 1 MiB Fetch response (generated codec, whole
// frames), splitting a byte stream into frames (protocol's FrameSplitter under the broker's and
// the client's readers), record batch encode/decode, and each codec on ~1 MiB of realistic JSON
// log lines.
// Run: node --import tsx bench/protocol-bench.ts   (about 15 s; single thread, shared machine)
// bench/run.ts runs it as its "micro" group with BENCH_BUDGET_MS (time per measurement) and
// BENCH_JSON=1 (one `BENCH_JSON {rows}` line at the end for the harness).
import {
  crc32c,
  crc32cJs,
  validateBatch,
  setBaseOffset,
  encodeRecordBatch,
  encodeRecordBatchSync,
  decodeRecordBatch,
  decodeRecordBatchSync,
  compress,
  decompress,
  compressSync,
  decompressSync,
  CompressionType,
  API_SPECS,
  ApiKey,
  decodeRequestFrame,
  encodeRequestFrame,
  encodeResponseFrame,
  encodeResponseHeader,
} from '@tributary/protocol';
import { SplicingWriter } from '@tributary/broker/server/splicing-writer';
import { FrameReader as RequestFrameReader } from '@tributary/broker/server/frame-reader';
import { FrameReader as ResponseFrameReader } from '@tributary/client/network/frame-reader';
import { dataBufferPool } from '@tributary/storage';
import { createRequire } from 'node:module';
import { logLines, logLineRecords } from '../packages/protocol/test/helpers/log-lines.ts';

const BUDGET_MS = Number(process.env.BENCH_BUDGET_MS) || 400;
const rows: { name: string; mbps: number; note: string }[] = [];

async function measure(name: string, bytes: number, fn: () => unknown, note = ''): Promise<void> {
  await fn(); // warm up
  const samples: number[] = [];
  const start = performance.now();
  while (performance.now() - start < BUDGET_MS || samples.length < 3) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  const median = samples[samples.length >> 1]!;
  rows.push({ name, mbps: bytes / 1e6 / (median / 1000), note });
}

const data = logLines(1 << 20);
const lines = logLineRecords(1 << 20);
const records = lines.map((value, i) => ({ key: `key-${i % 97}`, value, timestamp: 1_700_000_000_000n + BigInt(i) }));

await measure('crc32c native (1 MiB)', data.length, () => crc32c(data));
await measure('crc32c js slicing-by-8 (1 MiB)', data.length, () => crc32cJs(data));

const big = encodeRecordBatchSync({ records });
await measure('validate + setBaseOffset (1 MiB batch)', big.length, () => {
  validateBatch(big, 0);
  setBaseOffset(big, 0, 42n);
});
const small = Array.from({ length: 64 }, (_, i) => encodeRecordBatchSync({ records: records.slice(i * 16, i * 16 + 16) }));
const blob = Buffer.concat(small);
await measure(
  `validate + setBaseOffset (${small.length} batches of ~${Math.round(blob.length / small.length / 1024)} KiB)`,
  blob.length,
  () => {
    let pos = 0;
    while (pos < blob.length) {
      const size = validateBatch(blob, pos);
      setBaseOffset(blob, pos, BigInt(pos));
      pos += size;
    }
  },
);

// 1 MiB of records in 16 partitions (one ~64 KiB batch each), in a Produce request and a Fetch response
const PARTITIONS = 16;
const mib = records.slice(0, Math.floor((records.length * (1 << 20)) / big.length)); // ~1 MiB of encoded batches
const per = Math.ceil(mib.length / PARTITIONS);
const partBatches = Array.from({ length: PARTITIONS }, (_, p) => encodeRecordBatchSync({ records: mib.slice(p * per, (p + 1) * per) }));
const produceFrame = encodeRequestFrame(
  { apiKey: ApiKey.Produce, apiVersion: 9, correlationId: 7, clientId: 'bench' },
  {
    acks: -1,
    timeoutMs: 30000,
    topicData: [{ name: 'bench', partitionData: partBatches.map((records, index) => ({ index, records })) }],
  },
).subarray(4);
await measure(
  `decode Produce v9 request (${(produceFrame.length / 1048576).toFixed(1)} MiB, ${PARTITIONS} partitions; records as slices)`,
  produceFrame.length,
  () => decodeRequestFrame(produceFrame),
);
const fetchBody = {
  responses: [
    {
      topic: 'bench',
      partitions: partBatches.map((records, partitionIndex) => ({
        partitionIndex,
        highWatermark: 100_000n,
        lastStableOffset: 100_000n,
        logStartOffset: 0n,
        records,
      })),
    },
  ],
};
const fetchFrame = encodeResponseFrame(ApiKey.Fetch, 12, 7, fetchBody);
const fetchLabel = `${(fetchFrame.length / 1048576).toFixed(1)} MiB, ${PARTITIONS} partitions`;
await measure(`encode Fetch v12 response (${fetchLabel}; batches copied into one frame)`, fetchFrame.length, () =>
  encodeResponseFrame(ApiKey.Fetch, 12, 7, fetchBody),
);
await measure(`encode Fetch v12 response (${fetchLabel}; batches spliced, broker SplicingWriter)`, fetchFrame.length, () => {
  const w = new SplicingWriter(256);
  const at = w.reserve(4);
  encodeResponseHeader(w, ApiKey.Fetch, 12, 7);
  API_SPECS[ApiKey.Fetch]!.encodeResponse(w, 12, fetchBody);
  w.setInt32(at, w.length - 4);
  return w.chunks();
});

// 16 MiB streams of frames: the broker's reader gets 64 KiB socket chunks (pooled frames given
// back, as the connection does after answering); the client's onread reader gets 64 KiB reads.
const frameStream = (size: number) => {
  const one = Buffer.alloc(4 + size, 1);
  one.writeInt32BE(size);
  return Buffer.concat(Array.from({ length: Math.ceil((16 << 20) / one.length) }, () => one));
};
for (const [label, size] of [
  ['1 KiB', 1024],
  ['1 MiB', 1 << 20],
] as const) {
  const stream = frameStream(size);
  const chunks: Buffer[] = [];
  for (let i = 0; i < stream.length; i += 65536) chunks.push(Buffer.from(stream.subarray(i, i + 65536)));
  await measure(`split ${label} request frames (broker FrameReader, 64 KiB chunks)`, stream.length, () => {
    const r = new RequestFrameReader(1 << 30);
    for (const c of chunks) {
      r.push(c);
      for (let f = r.next(); f !== null; f = r.next()) if (dataBufferPool.owns(f)) dataBufferPool.release(f);
    }
  });
  await measure(
    `split ${label} response frames (client onread FrameReader, 64 KiB reads)`,
    stream.length,
    () => {
      const r = new ResponseFrameReader(1 << 30);
      for (let pos = 0; pos < stream.length; ) {
        const into = r.nextBuffer();
        const n = stream.copy(into, 0, pos, Math.min(pos + 65536, stream.length));
        pos += n;
        r.onRead(n);
      }
    },
    'socket reads simulated by a copy',
  );
}

await measure(`encode batch, ${records.length} records, uncompressed`, big.length, () => encodeRecordBatchSync({ records }));
await measure(`decode batch, ${records.length} records, uncompressed`, big.length, () => decodeRecordBatchSync(big));
for (const [label, compression] of [
  ['lz4', CompressionType.Lz4],
  ['zstd', CompressionType.Zstd],
] as const) {
  const enc = await encodeRecordBatch({ records, compression });
  await measure(`encode batch ${label} (records bytes/s)`, big.length, () => encodeRecordBatch({ records, compression }));
  await measure(`decode batch ${label} (records bytes/s)`, big.length, () => decodeRecordBatch(enc));
}

const codecs = [
  ['gzip', CompressionType.Gzip],
  ['snappy (xerial)', CompressionType.Snappy],
  ['lz4 frame', CompressionType.Lz4],
  ['zstd', CompressionType.Zstd],
] as const;
for (const [label, type] of codecs) {
  const packed = await compress(type, data);
  const ratio = `ratio ${(data.length / packed.length).toFixed(2)}`;
  if (type === CompressionType.Zstd) {
    await measure(`${label} compress (async)`, data.length, () => compress(type, data), ratio);
    await measure(`${label} decompress (async)`, data.length, () => decompress(type, packed));
  } else {
    await measure(`${label} compress (sync)`, data.length, () => compressSync(type, data), ratio);
    await measure(`${label} decompress (sync)`, data.length, () => decompressSync(type, packed));
  }
}
// for comparison: lz4-napi's own frame codec, which lz4.ts replaces by framing its block codec
const lz4napi = createRequire(import.meta.url)('lz4-napi') as {
  compressFrameSync(b: Buffer): Buffer;
  decompressFrameSync(b: Buffer): Buffer;
};
const napiFrame = lz4napi.compressFrameSync(data);
await measure('(lz4-napi compressFrameSync, not used)', data.length, () => lz4napi.compressFrameSync(data));
await measure('(lz4-napi decompressFrameSync, not used)', data.length, () => lz4napi.decompressFrameSync(napiFrame));
await measure('gzip compress (async, thread pool)', data.length, () => compress(CompressionType.Gzip, data));

console.log(`input: ${data.length} bytes of JSON log lines, ${records.length} records; MB/s of uncompressed bytes, median`);
const width = Math.max(...rows.map((r) => r.name.length));
for (const r of rows) console.log(`${r.name.padEnd(width)}  ${r.mbps.toFixed(0).padStart(7)} MB/s  ${r.note}`);
if (process.env.BENCH_JSON) console.log(`BENCH_JSON ${JSON.stringify({ rows })}`);
