// Which __consumer_offsets partition coordinates a group, as Kafka computes it:
// Utils.abs(groupId.hashCode()) % offsets.topic.num.partitions, where hashCode is Java's
// String.hashCode over UTF-16 code units (s[0]*31^(n-1) + ... + s[n-1], int32 wrap-around)
// and Utils.abs is `n & 0x7fffffff` (so Integer.MIN_VALUE maps to 0, not to itself).
export function javaStringHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

export function partitionForGroup(groupId: string, numPartitions: number): number {
  return (javaStringHashCode(groupId) & 0x7fffffff) % numPartitions;
}
