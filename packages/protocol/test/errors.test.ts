// The error-code table and KafkaError: codes, names, messages and retriability from
// error-codes.json (Kafka's Errors.java).
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ErrorCode, KafkaError, errorInfo } from '../src/index.ts';

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

it('KafkaError carries code, name and retriability', () => {
  const e = new KafkaError(ErrorCode.REQUEST_TIMED_OUT);
  assert.ok(e instanceof Error);
  assert.equal(e.code, 7);
  assert.equal(e.name, 'REQUEST_TIMED_OUT');
  assert.equal(e.retriable, true);
  assert.equal(new KafkaError(3, 'custom').message, 'custom');
  assert.doesNotThrow(() => KafkaError.check(ErrorCode.NONE));
  assert.throws(() => KafkaError.check(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION), (err: KafkaError) => err.code === 3 && err.retriable);
});
