// Broker errors name the Kafka error code to answer with, in `errorCode` (errorCodeOf); the group
// coordinator's codes are protocol's ErrorCode.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode, errorCodeOf } from '@tributary/protocol';
import { PartitionError } from '../src/replica/partition-error.ts';
import { TopicConfigError } from '../src/metadata/topic-config.ts';
import { GroupApiError } from '../src/coordinator/group/errors.ts';

test('PartitionError, TopicConfigError and GroupApiError carry their code in errorCode', () => {
  const cases: Array<[Error & { errorCode: number }, ErrorCode]> = [
    [new PartitionError(ErrorCode.NOT_ENOUGH_REPLICAS, 'isr too small'), ErrorCode.NOT_ENOUGH_REPLICAS],
    [new TopicConfigError('Unknown topic config name: x'), ErrorCode.INVALID_CONFIG],
    [new GroupApiError(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS), ErrorCode.COORDINATOR_LOAD_IN_PROGRESS],
  ];
  for (const [err, code] of cases) {
    assert.equal(err.errorCode, code, err.name);
    assert.equal(errorCodeOf(err), code, err.name);
  }
});
