// `tributary metadata-quorum describe`: the output shapes of Kafka's kafka-metadata-quorum.sh —
// --status (ClusterId ... CurrentObservers, labels padded to 24) and --replication (padded,
// tab-terminated cells; Leader, Follower, Observer rows) — from a QuorumInfo, then as a child
// process against an in-process testkit broker (a combined node: itself the only voter), and
// the usage errors.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startBroker, type TestBroker } from '@tributary/testkit';
import type { QuorumInfo } from '@tributary/client';
import { replicationText, statusText } from '../src/commands/metadata-quorum.ts';
import { runCli, type CliResult } from './cli-process.ts';
const Z = 'AAAAAAAAAAAAAAAAAAAAAA';

const QUORUM: QuorumInfo = {
  leaderId: 3000,
  leaderEpoch: 3,
  highWatermark: 120,
  voters: [
    { replicaId: 3000, replicaDirectoryId: Z, logEndOffset: 120, lastFetchTimestamp: 1000, lastCaughtUpTimestamp: 1000 },
    { replicaId: 3001, replicaDirectoryId: Z, logEndOffset: 100, lastFetchTimestamp: 990, lastCaughtUpTimestamp: 900 },
  ],
  observers: [{ replicaId: 1, replicaDirectoryId: Z, logEndOffset: 120, lastFetchTimestamp: 995, lastCaughtUpTimestamp: null }],
  nodes: new Map([[3000, { nodeId: 3000, endpoints: [{ name: 'CONTROLLER', host: 'ctl', port: 9093 }] }]]),
};

describe('metadata-quorum output', () => {
  it('--status', () => {
    assert.equal(
      statusText('MkU3OEVBNTcwNTJENDM2Qk', QUORUM),
      [
        'ClusterId:              MkU3OEVBNTcwNTJENDM2Qk',
        'LeaderId:               3000',
        'LeaderEpoch:            3',
        'HighWatermark:          120',
        'MaxFollowerLag:         20',
        'MaxFollowerLagTimeMs:   100',
        'CurrentVoters:          [{"id": 3000, "endpoints": ["CONTROLLER://ctl:9093"]}, {"id": 3001}]',
        'CurrentObservers:       [{"id": 1}]',
        '',
      ].join('\n'),
    );
  });

  it('--replication, and --human-readable', () => {
    assert.equal(
      replicationText(QUORUM, false),
      [
        'NodeId\tDirectoryId           \tLogEndOffset\tLag\tLastFetchTimestamp\tLastCaughtUpTimestamp\tStatus  \t',
        `3000  \t${Z}\t120         \t0  \t1000              \t1000                 \tLeader  \t`,
        `3001  \t${Z}\t100         \t20 \t990               \t900                  \tFollower\t`,
        `1     \t${Z}\t120         \t0  \t995               \t-1                   \tObserver\t`,
        '',
      ].join('\n'),
    );
    assert.match(replicationText(QUORUM, true, 1500).split('\n')[1]!, /\t500 ms ago +\t500 ms ago +\tLeader/);
  });
});

let broker: TestBroker;

function cli(args: string[]): Promise<CliResult> {
  return runCli([...args, '--bootstrap-server', broker.bootstrap]);
}

describe('tributary metadata-quorum against a broker', () => {
  before(async () => {
    broker = await startBroker();
  });
  after(async () => {
    await broker.stop();
  });

  it('describe --status: the node is the leader and only voter, no observers', async () => {
    const r = await cli(['metadata-quorum', 'describe', '--status']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    const field = (name: string) => lines.find((l) => l.startsWith(`${name}:`))!.slice(24);
    const id = field('LeaderId');
    assert.match(field('ClusterId'), /^[A-Za-z0-9_-]{22}$/);
    assert.match(field('LeaderEpoch'), /^\d+$/);
    assert.match(field('HighWatermark'), /^\d+$/);
    assert.deepEqual(['MaxFollowerLag', 'MaxFollowerLagTimeMs', 'CurrentVoters', 'CurrentObservers'].map(field), [
      '0',
      '0',
      `[{"id": ${id}}]`,
      '[]',
    ]);
    assert.equal(lines.length, 9); // eight lines and the final newline
  });

  it('describe --replication: one Leader row', async () => {
    const r = await cli(['metadata-quorum', 'describe', '--replication']);
    assert.equal(r.code, 0, r.stderr);
    const rows = r.stdout.trimEnd().split('\n');
    assert.equal(rows.length, 2);
    assert.deepEqual(
      rows[0]!.split('\t').map((c) => c.trim()),
      ['NodeId', 'DirectoryId', 'LogEndOffset', 'Lag', 'LastFetchTimestamp', 'LastCaughtUpTimestamp', 'Status', ''],
    );
    const cells = rows[1]!.split('\t').map((c) => c.trim());
    assert.deepEqual([cells[1], cells[3], cells[6]], [Z, '0', 'Leader']);
  });

  it('refuses describe without exactly one of --status and --replication', async () => {
    for (const args of [[], ['--status', '--replication'], ['--status', '--human-readable']]) {
      const r = await cli(['metadata-quorum', 'describe', ...args]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /--status|--replication|--human-readable/);
    }
  });
});
