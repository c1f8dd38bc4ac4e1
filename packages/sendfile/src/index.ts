// @tributary/sendfile: the optional sendfile(2) addon (src/sendfile.c), loaded when it was built
// at install time (scripts/install.mjs). `sendfile` is null when it was not (no compiler, not
// Linux, TRIBUTARY_SENDFILE=0 in the environment); `loadError` then says why.
import { createRequire } from 'node:module';

/** What a send did when it finished at once: bytes sent (less than asked = the file ended first). */
export type SendResult = number;

/** A pending send, to cancel. */
export type PendingSend = { readonly __pendingSend: unique symbol };

export interface Sendfile {
  /**
   * Sends `length` bytes of `fileFd` from `position` to the non-blocking socket `socketFd`. Returns
   * the bytes sent when it finished at once, or a handle after which `callback(errorCode, sent)`
   * runs on the event loop once it ends (never if cancelled). Throws an Error with `code` (EPIPE,
   * ...) when it fails at once.
   */
  send(
    socketFd: number,
    fileFd: number,
    position: number,
    length: number,
    callback: (errorCode: string | null, sent: number) => void,
  ): SendResult | PendingSend;
  /** Stops a pending send and closes its duplicate of the socket; its callback does not run. */
  cancel(handle: PendingSend): void;
}

function load(): { addon: Sendfile | null; error: string | null } {
  if (process.env.TRIBUTARY_SENDFILE === '0') return { addon: null, error: 'TRIBUTARY_SENDFILE=0' };
  if (process.platform !== 'linux') return { addon: null, error: `not Linux (${process.platform})` };
  try {
    return { addon: createRequire(import.meta.url)('../build/Release/sendfile.node') as Sendfile, error: null };
  } catch (err) {
    return { addon: null, error: `not built: ${(err as Error).message.split('\n')[0]}` };
  }
}

const loaded = load();

/** The addon, or null when it is not available. */
export const sendfile: Sendfile | null = loaded.addon;

/** Why the addon is not available (null when it is). */
export const loadError: string | null = loaded.error;
