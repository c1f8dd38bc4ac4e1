// ProducerIdManager: hands out producer ids for InitProducerId, in blocks of 1000 as Kafka does
// (ZooKeeper's /latest_producer_id_block, KRaft's ProducerIdsRecord). The broker claims a block by
// recording its end on disk *before* issuing any id from it, so after a crash or restart the next
// block starts past every id that might have been handed out: ids never repeat.
//
// File (first log dir), replaced crash-safely (tmp + fsync + rename + fsync dir):
//
//   <log dir>/tributary-metadata/producer-id-block.json
//     { "version": 1, "brokerId": 1, "blockStart": 2000, "blockEnd": 2999 }   <- last claimed block, inclusive
//
// A missing file means no id was ever issued (the first block starts at 0). A file that does not
// parse stops the broker from starting (reusing ids would silently break idempotence).
import { replaceFileAtomic, type FileSystem } from '@tributary/storage';

export const PRODUCER_ID_BLOCK_SIZE = 1000;
export const PRODUCER_ID_BLOCK_FILE = 'tributary-metadata/producer-id-block.json';

export interface ProducerIdBlock {
  version: 1;
  brokerId: number;
  blockStart: number;
  /** Inclusive. */
  blockEnd: number;
}

export class ProducerIdManager {
  private readonly path: string;
  private readonly dir: string;
  /** Next id to hand out; `next > blockEnd` means the current block is used up. */
  private next = 0;
  private blockEnd = -1;
  /** Highest id ever claimed (this run or an earlier one); -1 when none. */
  private claimedEnd = -1;

  constructor(
    private readonly fs: FileSystem,
    logDir: string,
    private readonly brokerId: number,
  ) {
    this.path = `${logDir}/${PRODUCER_ID_BLOCK_FILE}`;
    this.dir = this.path.slice(0, this.path.lastIndexOf('/'));
  }

  /** Reads the last claimed block; no id is issued from it again. */
  load(): void {
    const buf = this.fs.readFileSync(this.path);
    if (buf === null) return;
    let block: Partial<ProducerIdBlock>;
    try {
      block = JSON.parse(buf.toString('utf8')) as Partial<ProducerIdBlock>;
    } catch (err) {
      throw new Error(`${this.path} is not valid JSON: ${(err as Error).message}`);
    }
    if (block.version !== 1 || !Number.isSafeInteger(block.blockEnd) || (block.blockEnd as number) < -1) {
      throw new Error(`${this.path} is not a producer id block file (version 1 with a blockEnd)`);
    }
    this.claimedEnd = block.blockEnd as number;
    this.next = this.claimedEnd + 1;
    this.blockEnd = this.claimedEnd;
  }

  /** True when `producerId` may have been handed out by this broker (now or before a restart). */
  wasIssued(producerId: number): boolean {
    return producerId >= 0 && producerId <= this.claimedEnd;
  }

  /** The next producer id; claims (and persists) a new block when the current one is used up. */
  generate(): number {
    if (this.next > this.blockEnd) this.claimBlock();
    return this.next++;
  }

  private claimBlock(): void {
    const blockStart = this.claimedEnd + 1;
    const block: ProducerIdBlock = { version: 1, brokerId: this.brokerId, blockStart, blockEnd: blockStart + PRODUCER_ID_BLOCK_SIZE - 1 };
    this.fs.mkdirSync(this.dir);
    replaceFileAtomic(this.fs, this.path, Buffer.from(JSON.stringify(block) + '\n'));
    this.claimedEnd = block.blockEnd;
    this.blockEnd = block.blockEnd;
    this.next = blockStart;
  }
}
