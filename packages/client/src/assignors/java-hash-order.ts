// The iteration order of a java.util.HashMap<String, ?> filled by successive put() calls with the
// default capacity: by bucket (spread String.hashCode & (capacity - 1)), then insertion order.
// Kafka's Java assignors iterate such maps (member ids -> subscriptions), and where the sticky
// algorithm has ties the first member iterated wins; following the same order makes our leader
// compute the same assignment a Java leader would for the same JoinGroup members.
// (Buckets with 8+ colliding keys, which Java turns into trees, are not modelled.)

/** Java's `String.hashCode` (UTF-16 code units, 32-bit wrap-around). */
export function javaStringHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

/** Keys in the order a default-capacity Java HashMap would iterate them after inserting them in order. */
export function javaHashMapOrder(keys: readonly string[]): string[] {
  let capacity = 16;
  while (keys.length > capacity * 0.75) capacity *= 2;
  const mask = capacity - 1;
  const indexed = keys.map((k, i) => {
    const h = javaStringHashCode(k);
    return { k, i, bucket: (h ^ (h >>> 16)) & mask };
  });
  indexed.sort((a, b) => a.bucket - b.bucket || a.i - b.i);
  return indexed.map((x) => x.k);
}
