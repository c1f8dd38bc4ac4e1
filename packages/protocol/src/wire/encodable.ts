// Encodable<T>: what an encoder accepts for a message type T. Every field is optional, at every
// depth; an omitted field means the field's default from the spec (0, '', false, [], null, the
// zero UUID, ...). Buffers, bigints and other scalars are taken as they are.

export type Encodable<T> = T extends Buffer
  ? T
  : T extends string | number | bigint | boolean | null | undefined
    ? T
    : T extends readonly (infer E)[]
      ? readonly Encodable<E>[]
      : T extends object
        ? { [K in keyof T]?: Encodable<T[K]> }
        : T;
