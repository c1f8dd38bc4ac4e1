// Retention runs as a periodic task of the broker's Time with each topic's retention.ms / retention.bytes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeRecordBatch } from '@tributary/protocol';
import { MockTime } from '@tributary/storage';
import { startTestBroker } from './helpers/test-broker.ts';
import { topicsOf } from './helpers/test-topics.ts';

describe('retention', () => {
  it('deletes old segments on the retention schedule, per topic config, never at or above the HW', async () => {
    const time = new MockTime(1_800_000_000_000);
    const b = await startTestBroker({ 'log.retention.check.interval.ms': 1000 }, { time });
    try {
      const tm = topicsOf(b.broker);
      await tm.createTopic({ name: 'short', numPartitions: 1, configs: { 'retention.ms': '60000', 'segment.bytes': '100' } });
      await tm.createTopic({ name: 'long', numPartitions: 1, configs: { 'segment.bytes': '100' } });
      for (const name of ['short', 'long']) {
        for (let i = 0; i < 3; i++) {
          const ts = time.now() - 3_600_000 + i;
          await tm
            .partition(name, 0)!
            .appendRecordsToLeader(await encodeRecordBatch({ records: [{ value: 'x'.repeat(50), timestamp: ts }] }), {
              requiredAcks: 1,
              origin: 'coordinator',
            });
        }
      }
      assert.equal(tm.partition('short', 0)!.log.segments.length, 3);
      await time.advance(1000);
      assert.equal(tm.partition('short', 0)!.logStartOffset, 2);
      assert.equal(tm.partition('short', 0)!.highWatermark, 3);
      assert.equal(tm.partition('long', 0)!.logStartOffset, 0);
    } finally {
      await b.stop();
    }
  });
});
