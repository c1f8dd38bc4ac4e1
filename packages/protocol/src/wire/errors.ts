// Typed errors of the wire codec. DecodeError: the input bytes are malformed (truncated, a length
// beyond the buffer or negative, a bad varint, an unknown API key...). A broker closes the
// connection that sent them. EncodeError: the value cannot be written at the requested version
// (a non-default value for a field the version lacks, null where the version forbids it, ...).

export class DecodeError extends Error {
  override name = 'DecodeError';
  /** Byte position in the input where the problem was found (-1 when unknown). */
  readonly position: number;
  constructor(message: string, position = -1) {
    super(position >= 0 ? `${message} (at byte ${position})` : message);
    this.position = position;
  }
}

export class EncodeError extends Error {
  override name = 'EncodeError';
  constructor(message: string) {
    super(message);
  }
}
