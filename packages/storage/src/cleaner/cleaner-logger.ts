// Where the log cleaner's messages go: the broker's structured Logger fits this shape (storage does
// not depend on the broker). Kafka logs its cleaner at INFO (one summary per clean), WARN (a
// partition marked uncleanable) and ERROR (checkpoint I/O).

export interface CleanerLogger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** Drops everything (the default when no logger is given). */
export const SILENT_CLEANER_LOGGER: CleanerLogger = Object.freeze({
  info() {},
  warn() {},
  error() {},
});
