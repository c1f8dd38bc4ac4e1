// What the controller's operations return: the records to append (nothing is applied until the
// records are written and replayed) and the response, with Kafka error codes and messages. Bad
// input is answered with an error code, never thrown (Kafka's ApiError).
import { ErrorCode } from '@tributary/protocol';
import { applyRecords } from '../image/metadata-delta.ts';
import type { MetadataImage } from '../image/metadata-image.ts';
import type { MetadataRecord } from '../records/metadata-record.ts';

export interface ApiError {
  errorCode: number;
  errorMessage: string | null;
}

/** Kafka's ControllerResult: records to write, then the response to give once they are durable. */
export interface ControllerResult<T> {
  records: MetadataRecord[];
  response: T;
}

export const NONE: ApiError = Object.freeze({ errorCode: ErrorCode.NONE, errorMessage: null });

export function apiError(errorCode: number, errorMessage: string | null): ApiError {
  return { errorCode, errorMessage };
}

export function isError(e: ApiError): boolean {
  return e.errorCode !== ErrorCode.NONE;
}

/** Runs `one` for each item against the image as changed by the items before it. */
export function sequentially<I, R>(
  image: MetadataImage,
  items: readonly I[],
  one: (image: MetadataImage, item: I) => ControllerResult<R>,
): ControllerResult<R[]> {
  const records: MetadataRecord[] = [];
  const response: R[] = [];
  let working = image;
  for (const item of items) {
    const r = one(working, item);
    response.push(r.response);
    if (r.records.length > 0) {
      for (const rec of r.records) records.push(rec);
      working = applyRecords(working, r.records).image;
    }
  }
  return { records, response };
}
