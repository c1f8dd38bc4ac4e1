// duplexPair(): two connected in-memory Duplex streams, what node:stream's duplexPair (Node 22.6+)
// gives, for testing the network layer without TCP. Bytes written to one side are read from the
// other, in order and asynchronously (next tick), as from a socket. end() on one side ends the
// other's readable side (a FIN); destroy() on one side ends the other's too (the peer sees EOF, as
// when a socket is closed). Both sides allow half-open connections, as the broker's sockets do.
import { Duplex } from 'node:stream';

class Side extends Duplex {
  peer!: Side;
  /** push(null) was called on this side (its readable end is over). */
  private eof = false;

  constructor() {
    super({ allowHalfOpen: true });
  }

  deliver(chunk: Buffer | null): void {
    if (this.eof || this.destroyed) return;
    if (chunk === null) this.eof = true;
    this.push(chunk);
  }

  override _read(): void {}

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    process.nextTick(() => {
      this.peer.deliver(chunk);
      callback();
    });
  }

  override _final(callback: (error?: Error | null) => void): void {
    process.nextTick(() => {
      this.peer.deliver(null);
      callback();
    });
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    process.nextTick(() => this.peer.deliver(null));
    callback(error);
  }
}

export function duplexPair(): [Duplex, Duplex] {
  const a = new Side();
  const b = new Side();
  a.peer = b;
  b.peer = a;
  return [a, b];
}
