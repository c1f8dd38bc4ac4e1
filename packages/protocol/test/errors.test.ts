// The error-code table and KafkaError: codes, names, messages and retriability from
// error-codes.json (Kafka's Errors.java); errorCodeOf / hasErrorCode over what may be thrown.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ErrorCode, FrameError, KafkaError, RecordFormatError, errorCodeOf, errorInfo, hasErrorCode } from '../src/index.ts';

it('ErrorCode has Kafka codes', () => {
  assert.equal(ErrorCode.UNKNOWN_SERVER_ERROR, -1);
  assert.equal(ErrorCode.NONE, 0);
  assert.equal(ErrorCode.OFFSET_OUT_OF_RANGE, 1);
  assert.equal(ErrorCode.NOT_LEADER_OR_FOLLOWER, 6);
  assert.equal(ErrorCode.UNSUPPORTED_VERSION, 35);
  assert.equal(ErrorCode.TOPIC_ALREADY_EXISTS, 36);
});

it('errorInfo gives name, message and retriability', () => {
  const i = errorInfo(ErrorCode.NOT_LEADER_OR_FOLLOWER);
  assert.equal(i.name, 'NOT_LEADER_OR_FOLLOWER');
  assert.equal(i.retriable, true);
  assert.match(i.message, /not the current leader/);
  assert.equal(errorInfo(ErrorCode.TOPIC_ALREADY_EXISTS).retriable, false);
  assert.deepEqual(errorInfo(9999), { code: 9999, name: 'UNKNOWN_9999', message: 'Unknown error code 9999.', retriable: false });
});

it('KafkaError carries errorCode, name and retriability', () => {
  const e = new KafkaError(ErrorCode.REQUEST_TIMED_OUT);
  assert.ok(e instanceof Error);
  assert.equal(e.errorCode, 7);
  assert.equal(e.code, 7, 'code: the deprecated alias');
  assert.equal(e.name, 'REQUEST_TIMED_OUT');
  assert.equal(e.retriable, true);
  assert.equal(new KafkaError(3, 'custom').message, 'custom');
  assert.doesNotThrow(() => KafkaError.check(ErrorCode.NONE));
  assert.throws(
    () => KafkaError.check(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION),
    (err: KafkaError) => err.errorCode === 3 && err.retriable,
  );
});

it('errorCodeOf reads errorCode from any of our error classes, UNKNOWN_SERVER_ERROR otherwise', () => {
  assert.equal(errorCodeOf(new KafkaError(ErrorCode.NOT_LEADER_OR_FOLLOWER)), ErrorCode.NOT_LEADER_OR_FOLLOWER);
  class Coded extends Error {
    readonly errorCode = ErrorCode.KAFKA_STORAGE_ERROR;
  }
  assert.equal(errorCodeOf(new Coded('disk')), ErrorCode.KAFKA_STORAGE_ERROR);
  assert.equal(errorCodeOf({ errorCode: ErrorCode.NONE }), ErrorCode.NONE);
  // errors without a Kafka code
  assert.equal(errorCodeOf(new Error('bug')), ErrorCode.UNKNOWN_SERVER_ERROR);
  assert.equal(errorCodeOf(new RecordFormatError('bad varint')), ErrorCode.UNKNOWN_SERVER_ERROR);
  assert.equal(errorCodeOf(new FrameError('bad size')), ErrorCode.UNKNOWN_SERVER_ERROR);
  // Node's system errors put a string in `code`: not a Kafka code
  assert.equal(
    errorCodeOf(Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT', errno: -2 })),
    ErrorCode.UNKNOWN_SERVER_ERROR,
  );
  assert.equal(errorCodeOf({ errorCode: '3' }), ErrorCode.UNKNOWN_SERVER_ERROR);
  for (const thrown of [undefined, null, 'text', 42]) assert.equal(errorCodeOf(thrown), ErrorCode.UNKNOWN_SERVER_ERROR);
  assert.equal(hasErrorCode(new KafkaError(3)), true);
  assert.equal(hasErrorCode(new Error('x')), false);
});
