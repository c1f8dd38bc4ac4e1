// The shape of one broker setting (Kafka's ConfigDef.ConfigKey: type, default, doc, validator) and
// the helpers the definition tables (definitions.ts, log-cleaner-definitions.ts) build them with.
// Types as Kafka's ConfigDef.Type: int/long (decimal integers; longs above 2^53-1 become
// Number.MAX_SAFE_INTEGER), double, boolean, string, list (comma-separated).

export type ConfigType = 'int' | 'long' | 'double' | 'boolean' | 'string' | 'list';
export type TypeOf<T extends ConfigType> = T extends 'int' | 'long' | 'double'
  ? number
  : T extends 'boolean'
    ? boolean
    : T extends 'list'
      ? string[]
      : string;

export interface ConfigDef<T extends ConfigType = ConfigType, N extends boolean = boolean> {
  readonly type: T;
  readonly default: N extends true ? TypeOf<T> | null : TypeOf<T>;
  readonly doc: string;
  /** Returns a problem description, or undefined when the value is valid. */
  readonly validate?: (value: TypeOf<T>) => string | undefined;
  /** Accepted so Kafka's own server.properties files load, but has no effect in Tributary (yet). */
  readonly noEffect?: boolean;
  /** Kafka's PASSWORD type: never shown (DescribeConfigs answers null, isSensitive). */
  readonly sensitive?: boolean;
}

export const atLeast = (min: number) => (v: number) => (v < min ? `must be at least ${min}` : undefined);
/** Kafka's Range.between (inclusive). */
export const between = (min: number, max: number) => (v: number) =>
  v < min ? `must be at least ${min}` : v > max ? `must be no more than ${max}` : undefined;
export const oneOf =
  (...allowed: string[]) =>
  (v: string) =>
    allowed.includes(v) ? undefined : `must be one of ${allowed.join(', ')}`;
/** Kafka's ValidList.in: every item one of `allowed`. */
export const listOf =
  (...allowed: string[]) =>
  (v: string[]) => {
    const bad = v.find((x) => !allowed.includes(x));
    return bad === undefined ? undefined : `${bad}: must be one of ${allowed.join(', ')}`;
  };

export function def<T extends ConfigType>(
  type: T,
  dflt: TypeOf<T>,
  doc: string,
  validate?: (v: TypeOf<T>) => string | undefined,
): ConfigDef<T, false> {
  return { type, default: dflt, doc, validate };
}
export function optional<T extends ConfigType>(type: T, doc: string, validate?: (v: TypeOf<T>) => string | undefined): ConfigDef<T, true> {
  return { type, default: null, doc, validate };
}
export function compat<T extends ConfigType>(type: T, dflt: TypeOf<T> | null, doc: string): ConfigDef<T, true> {
  return {
    type,
    default: dflt,
    doc: `${doc} Accepted for compatibility with Kafka's server.properties; no effect in Tributary.`,
    noEffect: true,
  };
}

/** A PASSWORD setting (Kafka's Type.PASSWORD): not set by default, never shown. */
export function secret(doc: string): ConfigDef<'string', true> {
  return { type: 'string', default: null, doc, sensitive: true };
}

/**
 * A double as Java's Double.toString writes it (how Kafka shows DOUBLE configs): decimal with at
 * least one fractional digit within [1e-3, 1e7), else d.dddE<exponent> (Double.MAX_VALUE is
 * 1.7976931348623157E308).
 */
export function javaDouble(n: number): string {
  if (!Number.isFinite(n)) return Number.isNaN(n) ? 'NaN' : n > 0 ? 'Infinity' : '-Infinity';
  if (n === 0) return Object.is(n, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(n);
  if (abs >= 1e-3 && abs < 1e7) {
    const s = String(n);
    return s.includes('.') ? s : `${s}.0`;
  }
  const [mantissa, exponent] = n.toExponential().split('e') as [string, string];
  return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${exponent.replace('+', '')}`;
}
