// The text exposition writer, read back with a real Prometheus text-format parser: HELP/TYPE
// lines, labels (escaped quotes, backslashes, newlines), NaN and infinities, families without
// samples left out, and invalid names refused.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatExposition, formatValue } from '../../src/metrics/exposition.ts';
import { parseMetrics } from '../helpers/prometheus-text.ts';

describe('formatExposition', () => {
  it('writes families a Prometheus text parser reads back: names, help, types, labels and values', () => {
    const text = formatExposition([
      { name: 'a_total', help: 'A counter.', type: 'counter', samples: [{ value: 3 }, { labels: { topic: 't' }, value: 2 }] },
      { name: 'b', help: 'A gauge\nover two lines with a \\ backslash.', type: 'gauge', samples: [{ value: -1.5 }] },
      { name: 'empty', help: 'Nothing yet.', type: 'gauge', samples: [] },
      {
        name: 'c',
        help: 'Odd label values.',
        type: 'gauge',
        samples: [{ labels: { v: 'quote " back \\ newline \n end', w: '' }, value: Number.NaN }],
      },
      {
        name: 'd',
        help: 'Infinities.',
        type: 'gauge',
        samples: [
          { labels: { s: '+' }, value: Infinity },
          { labels: { s: '-' }, value: -Infinity },
        ],
      },
    ]);
    assert.ok(text.endsWith('\n'));
    assert.equal(text.split('\n')[0], '# HELP a_total A counter.');
    assert.equal(text.split('\n')[1], '# TYPE a_total counter');
    const m = parseMetrics(text);
    assert.deepEqual(
      m.families.map((f) => [f.name, f.type, f.help]),
      [
        ['a_total', 'COUNTER', 'A counter.'],
        ['b', 'GAUGE', 'A gauge\nover two lines with a \\ backslash.'],
        ['c', 'GAUGE', 'Odd label values.'],
        ['d', 'GAUGE', 'Infinities.'],
      ],
    );
    assert.equal(m.value('a_total'), 3);
    assert.equal(m.value('a_total', { topic: 't' }), 2);
    assert.equal(m.value('b'), -1.5);
    assert.deepEqual(m.labelSets('c'), [{ v: 'quote " back \\ newline \n end', w: '' }]);
    assert.ok(Number.isNaN(m.value('c', { v: 'quote " back \\ newline \n end', w: '' })));
    assert.deepEqual([m.value('d', { s: '+' }), m.value('d', { s: '-' })], [Infinity, -Infinity]);
  });

  it('writes nothing for no samples, and suffixes after the family name', () => {
    assert.equal(formatExposition([]), '');
    assert.equal(formatExposition([{ name: 'x', help: 'h', type: 'gauge', samples: [] }]), '');
    assert.equal(
      formatExposition([{ name: 's', help: 'h', type: 'summary', samples: [{ suffix: '_count', labels: { r: 'a' }, value: 1 }] }]),
      '# HELP s h\n# TYPE s summary\ns_count{r="a"} 1\n',
    );
  });

  it('refuses invalid metric and label names, and a family written twice', () => {
    assert.throws(() => formatExposition([{ name: '1bad', help: '', type: 'gauge', samples: [{ value: 1 }] }]), /invalid metric name/);
    assert.throws(() => formatExposition([{ name: 'a-b', help: '', type: 'gauge', samples: [{ value: 1 }] }]), /invalid metric name/);
    assert.throws(
      () => formatExposition([{ name: 'ok', help: '', type: 'gauge', samples: [{ labels: { 'a-b': 'x' }, value: 1 }] }]),
      /invalid label name/,
    );
    assert.throws(
      () => formatExposition([{ name: 'ok', help: '', type: 'gauge', samples: [{ labels: { __reserved: 'x' }, value: 1 }] }]),
      /invalid label name/,
    );
    const f = { name: 'twice', help: '', type: 'gauge' as const, samples: [{ value: 1 }] };
    assert.throws(() => formatExposition([f, f]), /written twice/);
  });

  it('formats values as Prometheus reads them', () => {
    assert.deepEqual([0, 42, -3.25, 1e21, Number.NaN, Infinity, -Infinity].map(formatValue), [
      '0',
      '42',
      '-3.25',
      '1e+21',
      'NaN',
      '+Inf',
      '-Inf',
    ]);
  });
});
