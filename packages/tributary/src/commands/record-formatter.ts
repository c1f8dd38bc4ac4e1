// How `tributary consume` prints a record: Kafka's DefaultMessageFormatter, byte for byte. Fields in
// Kafka's order, each enabled by a `--property`: print.timestamp (`CreateTime:<ms>` or
// `LogAppendTime:<ms>`), print.partition (`Partition:<n>`), print.offset (`Offset:<n>`),
// print.headers (`k:v` joined by headers.separator, or NO_HEADERS), print.key, print.value
// (default true); fields separated by key.separator (a tab), each record ended by line.separator
// (a newline), a null key, value or header value written as null.literal ("null"). Keys, values
// and header values are written as their bytes, unchanged (binary-safe: no decoding to text).
import type { ConsumerRecord } from '@tributary/client';
import { UsageError } from './command.ts';

export interface FormatterOptions {
  printTimestamp: boolean;
  printPartition: boolean;
  printOffset: boolean;
  printHeaders: boolean;
  printKey: boolean;
  printValue: boolean;
  keySeparator: Buffer;
  lineSeparator: Buffer;
  headersSeparator: Buffer;
  nullLiteral: Buffer;
}

export const DEFAULT_FORMATTER: FormatterOptions = {
  printTimestamp: false,
  printPartition: false,
  printOffset: false,
  printHeaders: false,
  printKey: false,
  printValue: true,
  keySeparator: Buffer.from('\t'),
  lineSeparator: Buffer.from('\n'),
  headersSeparator: Buffer.from(','),
  nullLiteral: Buffer.from('null'),
};

const BOOLEANS: Record<string, keyof FormatterOptions> = {
  'print.timestamp': 'printTimestamp',
  'print.partition': 'printPartition',
  'print.offset': 'printOffset',
  'print.headers': 'printHeaders',
  'print.key': 'printKey',
  'print.value': 'printValue',
};
const BYTES: Record<string, keyof FormatterOptions> = {
  'key.separator': 'keySeparator',
  'line.separator': 'lineSeparator',
  'headers.separator': 'headersSeparator',
  'null.literal': 'nullLiteral',
};

/** The formatter from `--property k=v` pairs (Kafka's: a boolean is true when it says "true", any case). */
export function formatterOf(props: Record<string, string>, base: FormatterOptions = DEFAULT_FORMATTER): FormatterOptions {
  const out: FormatterOptions = { ...base };
  for (const [name, value] of Object.entries(props)) {
    const b = BOOLEANS[name];
    const s = BYTES[name];
    if (b) (out as unknown as Record<string, unknown>)[b] = value.trim().toLowerCase() === 'true';
    else if (s) (out as unknown as Record<string, unknown>)[s] = Buffer.from(value, 'utf8');
    else
      throw new UsageError(
        `--property ${name} is not supported yet (supported: ${[...Object.keys(BOOLEANS), ...Object.keys(BYTES)].join(', ')})`,
      );
  }
  return out;
}

/** Appends the record's printed bytes to `out`. */
export function formatRecord(r: ConsumerRecord, o: FormatterOptions, out: Buffer[]): void {
  const fields: Array<() => void> = [];
  if (o.printTimestamp)
    fields.push(() => out.push(Buffer.from(`${r.timestampType === 'log-append' ? 'LogAppendTime' : 'CreateTime'}:${r.timestamp}`)));
  if (o.printPartition) fields.push(() => out.push(Buffer.from(`Partition:${r.partition}`)));
  if (o.printOffset) fields.push(() => out.push(Buffer.from(`Offset:${r.offset}`)));
  if (o.printHeaders)
    fields.push(() => {
      if (r.headers.length === 0) out.push(Buffer.from('NO_HEADERS'));
      r.headers.forEach((h, i) => {
        if (i > 0) out.push(o.headersSeparator);
        out.push(Buffer.from(`${h.key}:`), h.value ?? o.nullLiteral);
      });
    });
  if (o.printKey) fields.push(() => out.push(r.key ?? o.nullLiteral));
  if (o.printValue) fields.push(() => out.push(r.value ?? o.nullLiteral));
  fields.forEach((write, i) => {
    write();
    out.push(i === fields.length - 1 ? o.lineSeparator : o.keySeparator);
  });
}
