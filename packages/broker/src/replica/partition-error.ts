// PartitionError: a per-partition failure answered with a Kafka error code (never thrown across the wire).
export class PartitionError extends Error {
  constructor(readonly errorCode: number, message: string) {
    super(message);
    this.name = 'PartitionError';
  }
}
