// Which path a broker's Fetch answers take to plaintext sockets: zero-copy (the records sent with
// sendfile(2) from the segment files, response-output.ts) when tributary.zero.copy.enable is on, the
// @tributary/sendfile addon loaded and the logs live on the real filesystem (the fd seam's
// descriptors are the kernel's); else the copy path (records read into buffers, written by Node).
// Logged once at start, as the issue asks: which path, and why when it is the copy path.
import { sendfile as addon, loadError, type Sendfile } from '@tributary/sendfile';
import type { FileSystem } from '@tributary/storage';
import type { BrokerConfig } from '../config/broker-config.ts';
import type { Logger } from '../logger.ts';

/** The sender for plaintext connections, or null for the copy path. */
export function zeroCopySender(config: BrokerConfig, fs: FileSystem, log: Logger, sender: Sendfile | null = addon): Sendfile | null {
  let reason: string | null = null;
  if (!config.get('tributary.zero.copy.enable')) reason = 'tributary.zero.copy.enable=false';
  else if (sender === null) reason = `the sendfile addon is not available (${loadError ?? 'not loaded'})`;
  else if (fs.kernelDescriptors !== true) reason = 'the logs are not on the real filesystem';
  if (reason === null) {
    log.info('Fetch path: zero-copy (sendfile) for plaintext connections, copy path for TLS connections');
    return sender;
  }
  log.info(`Fetch path: copy path for all connections: ${reason}`);
  return null;
}
