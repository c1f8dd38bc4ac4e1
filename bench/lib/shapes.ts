// Record counts per record size, shared by the broker and peer scenarios so that every system
// moves the same number of records of the same size. Quick runs use a tenth.
import type { RunContext } from './types.ts';
import { recordValue } from './records.ts';

export const SIZES = [100, 1024] as const;

export function recordCount(ctx: Pick<RunContext, 'quick'>, size: number): number {
  const full = size <= 100 ? 1_000_000 : 300_000;
  return ctx.quick ? full / 10 : full;
}

export const sizeLabel = (size: number) => (size === 1024 ? '1KiB' : `${size}B`);

/** 4096 distinct record values of `size` bytes (the same content the kcat record files hold). */
export function recordValues(size: number): Buffer[] {
  return Array.from({ length: 4096 }, (_, i) => Buffer.from(recordValue(i, size)));
}
