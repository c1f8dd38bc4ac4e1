// Storage errors name the Kafka error code the broker answers with, in `errorCode` (errorCodeOf).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode, errorCodeOf } from '@tributary/protocol';
import { CorruptRecordError, InvalidAppendError, LogOfflineError, OffsetOutOfRangeError, StorageError } from '../src/errors.ts';

test('each storage error carries its Kafka code in errorCode', () => {
  const cases: Array<[StorageError, ErrorCode]> = [
    [new StorageError('io'), ErrorCode.KAFKA_STORAGE_ERROR],
    [new LogOfflineError('offline'), ErrorCode.KAFKA_STORAGE_ERROR],
    [new OffsetOutOfRangeError(9, 0, 5), ErrorCode.OFFSET_OUT_OF_RANGE],
    [new CorruptRecordError('bad crc', '/x/00000000000000000000.log', 0), ErrorCode.CORRUPT_MESSAGE],
    [new InvalidAppendError('not a batch'), ErrorCode.CORRUPT_MESSAGE],
  ];
  for (const [err, code] of cases) {
    assert.equal(err.errorCode, code, err.name);
    assert.equal(errorCodeOf(err), code, err.name);
  }
});
