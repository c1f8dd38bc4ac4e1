// ProducerIdManager: hands out producer ids for InitProducerId from blocks the controller
// allocates (Kafka's RPCProducerIdManager over AllocateProducerIds; the controller records each
// block in a ProducerIdsRecord of the metadata log before answering, so ids never repeat across
// brokers, restarts or crashes). Within a block ids are handed out synchronously; when it runs
// out the next one is asked for (one request at a time, shared by concurrent callers).
//
// `wasIssued(id)`: whether the cluster may have handed out `id` (below the next block the
// controller would allocate), so an InitProducerId that presents one may bump its epoch.

/** A block of producer ids: [firstProducerId, firstProducerId + size). */
export interface ProducerIdBlock {
  firstProducerId: bigint;
  size: number;
}

export interface ProducerIdManagerOptions {
  /** Asks the controller for the next block (rejects or throws when it cannot). */
  allocate(): Promise<ProducerIdBlock>;
  /** The first producer id of the next block the controller would allocate (-1: none allocated yet). */
  nextUnallocated(): bigint;
}

export class ProducerIdManager {
  private next = 0;
  /** Exclusive end of the current block. */
  private end = 0;
  private pending: Promise<void> | null = null;

  constructor(private readonly options: ProducerIdManagerOptions) {}

  /** True when `producerId` may have been handed out by some broker of the cluster. */
  wasIssued(producerId: number): boolean {
    return producerId >= 0 && BigInt(producerId) < this.options.nextUnallocated();
  }

  /** The next producer id: at once from the current block, or once the controller allocated the next. */
  generate(): number | Promise<number> {
    if (this.next < this.end) return this.next++;
    this.pending ??= this.options
      .allocate()
      .then((block) => {
        this.next = Number(block.firstProducerId);
        this.end = this.next + block.size;
      })
      .finally(() => {
        this.pending = null;
      });
    return this.pending.then(() => this.generate());
  }
}
