// Which cluster a starting node belongs to: its formatted log dirs, else CLUSTER_ID, else a new id
// (only without process.roles); and the refusals, naming the file and both ids.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryFileSystem, MockTime, readMetaProperties, writeMetaProperties } from '@tributary/storage';
import { BrokerConfig } from '../src/config/broker-config.ts';
import { formatNodeStorage, resolveClusterId } from '../src/meta-properties.ts';

const KRAFT = [
  'process.roles=broker,controller',
  'node.id=1',
  'listeners=PLAINTEXT://:9092,CONTROLLER://:9093',
  'controller.listener.names=CONTROLLER',
  'log.dirs=/d1,/d2',
];

function setup(overrides: string[], env: Record<string, string> = {}) {
  const fs = new MemoryFileSystem(new MockTime(0));
  const config = BrokerConfig.load({ overrides, env });
  return { fs, config };
}

function format(fs: MemoryFileSystem, dir: string, clusterId: string, nodeId: number, version: 0 | 1 = 1) {
  fs.mkdirSync(dir);
  writeMetaProperties(fs, dir, { version, clusterId, nodeId, directoryId: null });
}

describe('resolveClusterId', () => {
  it('makes up an id for a node without process.roles and nothing formatted (npm start)', () => {
    const { fs, config } = setup(['log.dirs=/d1']);
    const a = resolveClusterId(config, fs);
    assert.match(a, /^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
    assert.notEqual(resolveClusterId(config, fs), a);
  });

  it('takes CLUSTER_ID when nothing is formatted', () => {
    const { fs, config } = setup(KRAFT, { CLUSTER_ID: 'MkU3OEVBNTcwNTJENDM2Qk' });
    assert.equal(resolveClusterId(config, fs), 'MkU3OEVBNTcwNTJENDM2Qk');
  });

  it('refuses a KRaft node with nothing formatted and no CLUSTER_ID', () => {
    const { fs, config } = setup(KRAFT);
    assert.throws(() => resolveClusterId(config, fs), {
      message:
        'no log directory is formatted (/d1, /d2): run `tributary storage format -t <cluster id> -c <server.properties>` first, or set CLUSTER_ID',
    });
  });

  it('takes the id of the formatted dirs, including version 0 dirs of older builds', () => {
    const { fs, config } = setup(KRAFT, { CLUSTER_ID: 'c1' });
    format(fs, '/d2', 'c1', 1);
    assert.equal(resolveClusterId(config, fs), 'c1');
    const old = setup(['log.dirs=/d1', 'broker.id=1']);
    format(old.fs, '/d1', 'old-id', 1, 0);
    assert.equal(resolveClusterId(old.config, old.fs), 'old-id');
  });

  it('refuses dirs formatted for another cluster than CLUSTER_ID, another node, or two clusters', () => {
    const { fs, config } = setup(KRAFT, { CLUSTER_ID: 'c2' });
    format(fs, '/d1', 'c1', 1);
    assert.throws(() => resolveClusterId(config, fs), { message: '/d1/meta.properties is formatted for cluster c1, but CLUSTER_ID is c2' });
    const other = setup([...KRAFT.filter((o) => !o.startsWith('node.id')), 'node.id=2']);
    format(other.fs, '/d1', 'c1', 1);
    assert.throws(() => resolveClusterId(other.config, other.fs), {
      message:
        '/d1/meta.properties belongs to node 1, but node.id is 2. If you moved your data, make sure node.id matches; to make a new node, empty the log directories.',
    });
    const split = setup(KRAFT);
    format(split.fs, '/d1', 'c1', 1);
    format(split.fs, '/d2', 'c2', 1);
    assert.throws(() => resolveClusterId(split.config, split.fs), {
      message: '/d2/meta.properties is formatted for cluster c2, but /d1/meta.properties for cluster c1',
    });
  });
});

describe('formatNodeStorage', () => {
  it("formats the node's log dirs with its node.id", () => {
    const { fs, config } = setup(KRAFT);
    assert.deepEqual(formatNodeStorage(config, 'c1', { fs }), { formatted: ['/d1', '/d2'], alreadyFormatted: [] });
    assert.deepEqual([readMetaProperties(fs, '/d1')!.clusterId, readMetaProperties(fs, '/d2')!.nodeId], ['c1', 1]);
    assert.equal(resolveClusterId(config, fs), 'c1');
  });
});
