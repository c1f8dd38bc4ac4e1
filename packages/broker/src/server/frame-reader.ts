// FrameReader: the broker's request framing. protocol's FrameSplitter does the splitting and the
// size checks (FrameError, then the connection closes), with two settings of the broker's own:
//   - the limit is socket.request.max.bytes (named in the error);
//   - a request that arrives over several socket chunks (a large Produce) is assembled into a
//     buffer of storage's data buffer pool instead of a fresh allocation. The connection gives it
//     back once the request is answered (see FrameProcessor.recyclable), so large produce
//     requests reuse memory instead of growing the heap's external memory.
// A request inside one chunk is a zero-copy subarray of it, as the splitter returns it.
import { FrameError, FrameSplitter } from '@tributary/protocol';
import { dataBufferPool } from '@tributary/storage';

export { FrameError };

const pooled = (size: number): Buffer => dataBufferPool.acquire(size);

export class FrameReader extends FrameSplitter {
  constructor(maxFrameBytes: number) {
    super(maxFrameBytes, { assemble: pooled, limitName: 'socket.request.max.bytes' });
  }
}
