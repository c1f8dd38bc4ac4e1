// `tributary transactions list|describe` and `tributary producers describe`: the output shapes of
// Kafka's kafka-transactions.sh (TransactionsCommand's headers; cells padded to the column's width,
// each followed by a tab; "None" for a missing start time or transaction start offset, -1 for a
// missing coordinator epoch) from stubbed admin results; usage errors; then as child processes
// against a broker, skipped until the broker side of transactions (issue 15) is merged.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startBroker, type TestBroker } from '@tributary/testkit';
import { Kafka } from '@tributary/client';
import { describeText, listText } from '../src/commands/transactions.ts';
import { producersText } from '../src/commands/producers.ts';
import { runCli, type CliResult } from './cli-process.ts';

describe('transactions and producers output', () => {
  it('transactions list: one row per transactional id, by coordinator', () => {
    assert.equal(
      listText([
        { transactionalId: 'payments-tx', producerId: 4001n, state: 'Ongoing', coordinatorId: 2 },
        { transactionalId: 'orders', producerId: 12n, state: 'CompleteCommit', coordinatorId: 1 },
      ]),
      [
        'TransactionalId\tCoordinator\tProducerId\tTransactionState\t',
        'orders         \t1          \t12        \tCompleteCommit  \t',
        'payments-tx    \t2          \t4001      \tOngoing         \t',
        '',
      ].join('\n'),
    );
    assert.equal(listText([]), 'TransactionalId\tCoordinator\tProducerId\tTransactionState\t\n');
  });

  it('transactions describe: an ongoing transaction, and one without (None)', () => {
    const ongoing = describeText(
      {
        transactionalId: 'orders',
        coordinatorId: 1,
        state: 'Ongoing',
        producerId: 12n,
        producerEpoch: 3,
        transactionTimeoutMs: 60000,
        transactionStartTimeMs: 1_700_000_000_000,
        topicPartitions: [
          { topic: 'out', partition: 0 },
          { topic: 'out', partition: 2 },
          { topic: '__consumer_offsets', partition: 7 },
        ],
      },
      1_700_000_002_500,
    );
    assert.equal(
      ongoing,
      [
        'CoordinatorId\tTransactionalId\tProducerId\tProducerEpoch\tTransactionState\tTransactionTimeoutMs\tCurrentTransactionStartTimeMs\tTransactionDurationMs\tTopicPartitions                 \t',
        '1            \torders         \t12        \t3            \tOngoing         \t60000               \t1700000000000                \t2500                 \tout-0,out-2,__consumer_offsets-7\t',
        '',
      ].join('\n'),
    );
    const idle = describeText({
      transactionalId: 'x',
      coordinatorId: 3,
      state: 'Empty',
      producerId: 5n,
      producerEpoch: 0,
      transactionTimeoutMs: 900000,
      transactionStartTimeMs: null,
      topicPartitions: [],
    });
    assert.deepEqual(
      idle
        .split('\n')[1]!
        .split('\t')
        .map((c) => c.trim()),
      ['3', 'x', '5', '0', 'Empty', '900000', 'None', 'None', '', ''],
    );
  });

  it('producers describe: one partition as Kafka prints it; every partition with a Partition column', () => {
    const states = [
      {
        topic: 't',
        partition: 0,
        activeProducers: [
          {
            producerId: 1000n,
            producerEpoch: 0,
            lastSequence: 41,
            lastTimestamp: 1_700_000_000_123,
            coordinatorEpoch: null,
            currentTransactionStartOffset: null,
          },
          {
            producerId: 7000n,
            producerEpoch: 2,
            lastSequence: 3,
            lastTimestamp: 1_700_000_000_456,
            coordinatorEpoch: 5,
            currentTransactionStartOffset: 120n,
          },
        ],
      },
    ];
    assert.equal(
      producersText(states, false),
      [
        'ProducerId\tProducerEpoch\tLatestCoordinatorEpoch\tLastSequence\tLastTimestamp\tCurrentTransactionStartOffset\t',
        '1000      \t0            \t-1                    \t41          \t1700000000123\tNone                         \t',
        '7000      \t2            \t5                     \t3           \t1700000000456\t120                          \t',
        '',
      ].join('\n'),
    );
    const all = producersText([...states, { topic: 't', partition: 1, activeProducers: [] }], true);
    assert.deepEqual(
      all.split('\n').map((l) => l.split('\t')[0]!.trim()),
      ['Partition', '0', '0', ''],
    );
  });
});

function cli(args: string[], bootstrap = '127.0.0.1:1'): Promise<CliResult> {
  return runCli([...args, '--bootstrap-server', bootstrap, '--api-timeout-ms', '2000']);
}

describe('transactions and producers usage', () => {
  it('refuses a missing --transactional-id, --topic or subcommand', async () => {
    const [a, b, c] = await Promise.all([cli(['transactions', 'describe']), cli(['producers', 'describe']), cli(['transactions'])]);
    assert.deepEqual([a.code, b.code, c.code], [1, 1, 1]);
    assert.match(a.stderr, /--transactional-id/);
    assert.match(b.stderr, /--topic/);
    assert.match(c.stderr, /missing subcommand/);
  });
});

describe('tributary transactions / producers against a broker', () => {
  let broker: TestBroker;
  before(async () => {
    broker = await startBroker({ settings: { 'num.partitions': 1 } });
    const kafka = new Kafka({ bootstrapServers: broker.bootstrap });
    const p = kafka.producer({ transactionalId: 'cli-tx' });
    await p.initTransactions();
    p.beginTransaction();
    await p.send({ topic: 'cli-txn', messages: [{ value: 'open' }] });
    await p.flush(); // left open: Ongoing, with a transaction start offset on cli-txn-0
    await kafka.cluster.close();
  });
  after(async () => {
    await broker?.stop();
  });

  it('transactions list and describe show the open transaction', async () => {
    const listed = await cli(['transactions', 'list'], broker.bootstrap);
    assert.equal(listed.code, 0, listed.stderr);
    const row = listed.stdout.split('\n').find((l) => l.startsWith('cli-tx'))!;
    assert.deepEqual(
      row
        .split('\t')
        .map((c) => c.trim())
        .slice(3, 4),
      ['Ongoing'],
    );
    const described = await cli(['transactions', 'describe', '--transactional-id', 'cli-tx'], broker.bootstrap);
    assert.equal(described.code, 0, described.stderr);
    const cells = described.stdout
      .split('\n')[1]!
      .split('\t')
      .map((c) => c.trim());
    assert.deepEqual([cells[1], cells[4], cells[8]], ['cli-tx', 'Ongoing', 'cli-txn-0']);
    const missing = await cli(['transactions', 'describe', '--transactional-id', 'nope'], broker.bootstrap);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /Failed to describe transaction state of transactional-id `nope`/);
  });

  it('producers describe shows the transactional producer with its start offset', async () => {
    const r = await cli(['producers', 'describe', '--topic', 'cli-txn', '--partition', '0'], broker.bootstrap);
    assert.equal(r.code, 0, r.stderr);
    const cells = r.stdout
      .split('\n')[1]!
      .split('\t')
      .map((c) => c.trim());
    assert.deepEqual([cells[3], cells[5]], ['0', '0']);
  });
});
