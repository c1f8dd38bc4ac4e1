// KafkaClientError: the broker's code in `errorCode` (what errorCodeOf reads), `code` kept as its alias.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode, errorCodeOf } from '@tributary/protocol';
import { ConnectionError, KafkaClientError } from '../../src/network/errors.ts';

test('KafkaClientError exposes the broker code as errorCode and code', () => {
  const e = new KafkaClientError('no leader', 'NOT_LEADER_OR_FOLLOWER', true, {
    code: ErrorCode.NOT_LEADER_OR_FOLLOWER,
    topic: 't',
    partition: 0,
  });
  assert.equal(e.errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
  assert.equal(e.code, ErrorCode.NOT_LEADER_OR_FOLLOWER);
  assert.equal(errorCodeOf(e), ErrorCode.NOT_LEADER_OR_FOLLOWER);
  // no code from a broker (a connection failure): errorCode undefined, errorCodeOf falls back
  const c = new ConnectionError('closed', 'localhost:9092');
  assert.equal(c.errorCode, undefined);
  assert.equal(c.code, undefined);
  assert.equal(errorCodeOf(c), ErrorCode.UNKNOWN_SERVER_ERROR);
});
