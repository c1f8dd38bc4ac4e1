// inter.broker.protocol.version on a KRaft controller: the metadata.version a new metadata log is
// bootstrapped with (Kafka 3.x's BootstrapDirectory.readFromConfiguration, used when the metadata
// log dir has no bootstrap.checkpoint, as Tributary's never does). Only the levels Tributary runs
// are accepted (SUPPORTED_METADATA_VERSIONS); "3.7" reads as Kafka reads it, 3.7-IV4, and is refused.
import { SUPPORTED_METADATA_VERSIONS, metadataVersionName, parseMetadataVersion } from '@tributary/metadata';

const RANGE = `${metadataVersionName(SUPPORTED_METADATA_VERSIONS.min)} to ${metadataVersionName(SUPPORTED_METADATA_VERSIONS.max)}`;

/** Why `value` cannot bootstrap a metadata log, or undefined when it can. */
export function bootstrapMetadataVersionProblem(value: string): string | undefined {
  const level = parseMetadataVersion(value);
  if (level === undefined) return `Version ${value} is not a valid version`;
  if (level < SUPPORTED_METADATA_VERSIONS.min || level > SUPPORTED_METADATA_VERSIONS.max)
    return `${value} is metadata.version ${metadataVersionName(level)} (level ${level}); Tributary runs ${RANGE}`;
  return undefined;
}

/** The configured bootstrap level (validated at load), or undefined: the default. */
export function bootstrapMetadataVersion(value: string | null): number | undefined {
  return value === null ? undefined : parseMetadataVersion(value);
}
