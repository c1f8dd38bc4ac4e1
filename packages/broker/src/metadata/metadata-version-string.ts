// Kafka 3.x's MetadataVersion.fromVersionString, as its MetadataVersionValidator uses it on the
// deprecated topic config message.format.version: the inter-broker protocol versions Kafka 3.9
// knows, by their full name ("2.8-IV1", "0.10.0-IV0", "0.8.2") or by their release ("2.8",
// "0.10.0"); a longer string is cut to its release ("2.8.1" -> "2.8", "0.10.0.1" -> "0.10.0").
// Kafka 3.9's default for the config is "3.0-IV1" (IBP_3_0_IV1), the version from which the
// value is ignored.

/** The releases and their IVs (an empty list: a release without IVs, named by its release alone). */
const RELEASES: ReadonlyArray<readonly [string, readonly number[]]> = [
  ['0.8.0', []],
  ['0.8.1', []],
  ['0.8.2', []],
  ['0.9.0', []],
  ['0.10.0', [0, 1]],
  ['0.10.1', [0, 1, 2]],
  ['0.10.2', [0]],
  ['0.11.0', [0, 1, 2]],
  ['1.0', [0]],
  ['1.1', [0]],
  ['2.0', [0, 1]],
  ['2.1', [0, 1, 2]],
  ['2.2', [0, 1]],
  ['2.3', [0, 1]],
  ['2.4', [0, 1]],
  ['2.5', [0]],
  ['2.6', [0]],
  ['2.7', [0, 1, 2]],
  ['2.8', [0, 1]],
  ['3.0', [0, 1]],
  ['3.1', [0]],
  ['3.2', [0]],
  ['3.3', [0, 1, 2, 3]],
  ['3.4', [0]],
  ['3.5', [0, 1, 2]],
  ['3.6', [0, 1, 2]],
  ['3.7', [0, 1, 2, 3, 4]],
  ['3.8', [0]],
  ['3.9', [0]],
  // not production in 3.9: known by their IVs only
  ['4.0', [0, 1]],
];

const KNOWN: ReadonlySet<string> = new Set(
  RELEASES.flatMap(([release, ivs]) => [...(release === '4.0' ? [] : [release]), ...ivs.map((iv) => `${release}-IV${iv}`)]),
);

export const MESSAGE_FORMAT_VERSION_DEFAULT = '3.0-IV1';

/** Kafka's message when the value is not a version ("Version x is not a valid version"), else undefined. */
export function metadataVersionProblem(value: string): string | undefined {
  const segments = value.split('.');
  while (segments.length > 0 && segments[segments.length - 1] === '') segments.pop(); // as Java's split
  const kept = value.startsWith('0.') ? 3 : 2;
  const key = segments.length <= kept ? value : segments.slice(0, kept).join('.');
  return KNOWN.has(key) ? undefined : `Version ${value} is not a valid version`;
}
