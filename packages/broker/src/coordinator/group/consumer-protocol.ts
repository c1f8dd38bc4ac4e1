// Reads the subscribed topics out of a "consumer" protocol subscription (the JoinGroup protocol
// metadata of Kafka consumers), parsed with the v0 layout every later version starts with:
//   int16 version, int32 topic count, then each topic as int16 length + UTF-8 bytes (then
//   userData and, from v1, owned partitions, which are not needed here).
// Returns null when the bytes do not parse, as Kafka then treats subscriptions as unknown.
export function subscribedTopicsOf(metadata: Buffer): string[] | null {
  try {
    let pos = 2; // version
    const n = metadata.readInt32BE(pos);
    pos += 4;
    if (n < 0) return null;
    const topics: string[] = [];
    for (let i = 0; i < n; i++) {
      const len = metadata.readInt16BE(pos);
      pos += 2;
      if (len < 0 || pos + len > metadata.length) return null;
      topics.push(metadata.toString('utf8', pos, pos + len));
      pos += len;
    }
    return topics;
  } catch {
    return null;
  }
}
