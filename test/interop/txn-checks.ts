// Checks shared by the transaction crash and cluster tests: the records a read_committed consumer
// read from a topic written by py/txn_driver.py's "loop" (values "t<txn>-<j>", record j of a
// transaction on partition j % 2) must hold whole transactions only, each record once, and every
// transaction the producer saw committed.
import assert from 'node:assert/strict';

export interface ConsumedPartitions {
  partitions: { partition: number; records: { offset: number; value: string }[] }[];
}

/** Asserts every transaction is whole or absent and each acknowledged one is present; returns how many were visible. */
export function assertWholeTransactions(consumed: ConsumedPartitions, committed: readonly number[], perTxn: number): number {
  const seen = new Map<number, Set<number>>();
  const all = new Set<string>();
  for (const part of consumed.partitions) {
    let last = -1;
    for (const r of part.records) {
      assert.ok(!all.has(r.value), `${r.value} read once`);
      all.add(r.value);
      assert.ok(r.offset > last, `offsets grow on partition ${part.partition}`);
      last = r.offset;
      const m = /^t(\d+)-(\d+)$/.exec(r.value);
      assert.ok(m, `unexpected value ${r.value}`);
      const [txn, j] = [Number(m[1]), Number(m[2])];
      assert.equal(j % 2, part.partition, `${r.value} on its partition`);
      if (!seen.has(txn)) seen.set(txn, new Set());
      seen.get(txn)!.add(j);
    }
  }
  for (const [txn, js] of seen) assert.equal(js.size, perTxn, `transaction ${txn} is whole (saw records ${[...js].sort().join(',')})`);
  for (const txn of committed) assert.ok(seen.has(txn), `acknowledged transaction ${txn} is visible`);
  return seen.size;
}
