// murmur2: the 32-bit MurmurHash2 variant Kafka's Java client uses to map a record key to a
// partition (`org.apache.kafka.common.utils.Utils.murmur2`, seed 0x9747b28c), and the
// `toPositive(murmur2(key)) % numPartitions` rule of `BuiltInPartitioner.partitionForKey`.
// Same key -> same partition as the Java client, KafkaJS's DefaultPartitioner and kafka-python.
// All arithmetic is 32-bit two's complement (Math.imul, `| 0`), like Java `int`.

const SEED = 0x9747b28c | 0;
const M = 0x5bd1e995;
const R = 24;

/** Kafka's murmur2 of `data`, as a signed 32-bit integer (equal to Java's `Utils.murmur2`). */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  let h = SEED ^ length;
  const length4 = length >>> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i << 2;
    let k = data[i4] | (data[i4 + 1] << 8) | (data[i4 + 2] << 16) | (data[i4 + 3] << 24);
    k = Math.imul(k, M);
    k ^= k >>> R;
    k = Math.imul(k, M);
    h = Math.imul(h, M);
    h ^= k;
  }
  // the 1-3 trailing bytes, as Java's fall-through switch on length % 4
  const tail = length & ~3;
  const rest = length & 3;
  if (rest === 3) h ^= data[tail + 2] << 16;
  if (rest >= 2) h ^= data[tail + 1] << 8;
  if (rest >= 1) {
    h ^= data[tail];
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/** Java's `Utils.toPositive`: clears the sign bit (not `Math.abs`). */
export function toPositive(n: number): number {
  return n & 0x7fffffff;
}

/** The partition Kafka's default partitioner picks for a serialized key among `numPartitions`. */
export function partitionForKey(key: Uint8Array, numPartitions: number): number {
  return toPositive(murmur2(key)) % numPartitions;
}
