// @tributary/protocol: wire primitives, the generated Kafka message codec, record batches,
// compression, CRC32C, the frame splitter and the error table. Shared by the broker and the client.
export * from './records/crc32c.ts';
export * from './records/batch-header.ts';
export * from './records/record.ts';
export * from './records/record-batch.ts';
export * from './records/control-record.ts';
export * from './compression/index.ts';
export * from './wire/errors.ts';
export * from './wire/reader.ts';
export * from './wire/writer.ts';
export * from './wire/headers.ts';
export type * from './wire/encodable.ts';
export * from './frames.ts';
export * from './framing/frame-splitter.ts';
export * from './errors.ts';
export * from './generated/index.ts';
