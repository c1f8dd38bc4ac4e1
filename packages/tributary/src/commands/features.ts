// `tributary features describe|upgrade|downgrade|disable`: Kafka's kafka-features.sh over
// @tributary/client's admin (describeFeatures: ApiVersions' feature fields; updateFeatures:
// UpdateFeatures, forwarded to the controller). Output as FeatureCommand prints it:
//   Feature: metadata.version	SupportedMinVersion: 3.6-IV2	SupportedMaxVersion: 3.7-IV2	FinalizedVersionLevel: 3.6-IV2	Epoch: 12
//   metadata.version was upgraded to 17.            (--dry-run: "can be upgraded to 17.")
//   Could not upgrade metadata.version to 18. <the controller's message>
// with "N out of M operation(s) failed." and exit 1 when any update fails. Levels are given as
// --metadata <version> (Kafka's name: 3.7-IV2, or a release alone for its last IV) or
// --feature <name>=<level> (repeatable); downgrade takes --unsafe; disable takes --feature <name>.
import type { Admin, FeatureUpdate } from '@tributary/client';
import {
  KRAFT_METADATA_VERSIONS,
  MINIMUM_BOOTSTRAP_METADATA_VERSION,
  metadataVersionName,
  parseMetadataVersion,
} from '@tributary/metadata';
import { UsageError, type Command } from './command.ts';
import type { ParsedArgs } from './args.ts';
import { COMMON_USAGE, adminSubcommands, writeOut } from './client.ts';
import { OUTPUT_OPTION, OUTPUT_USAGE, isJsonOutput, writeJson } from './output.ts';

const USAGE = `Usage: tributary features <describe|upgrade|downgrade|disable> [options]

Describes and changes the cluster's finalized feature levels, as Kafka's kafka-features.sh.

  features describe                       each feature: the levels the broker supports, the finalized one
  features upgrade   --metadata <version> | --feature <name>=<level> ... [--dry-run]
  features downgrade --metadata <version> | --feature <name>=<level> ... [--unsafe] [--dry-run]
  features disable   --feature <name> ... [--dry-run]

--metadata takes Kafka's names (3.7-IV2; 3.7 alone means 3.7's last IV). Tributary runs
metadata.version 3.6-IV2 to 3.7-IV2; 3.7-IV2 turns on JBOD directory assignment.
describe takes:
${OUTPUT_USAGE}
${COMMON_USAGE}`;

const SPEC = { values: ['metadata', OUTPUT_OPTION], repeated: ['feature'], flags: ['dry-run', 'unsafe'] } as const;

/** FeatureCommand.levelToString: metadata.version levels by name. */
function levelText(feature: string, level: number): string {
  if (feature !== 'metadata.version') return String(level);
  const name = metadataVersionName(level);
  return name === String(level) ? `UNKNOWN ${level}` : name;
}

async function describe(admin: Admin, p: ParsedArgs): Promise<number> {
  const m = await admin.describeFeatures();
  const rows = Object.keys(m.supportedFeatures)
    .sort()
    .map((feature) => {
      const range = m.supportedFeatures[feature]!;
      const finalized = m.finalizedFeatures[feature]?.maxVersionLevel ?? 0;
      return { feature, supportedMin: range.minVersion, supportedMax: range.maxVersion, finalized, epoch: m.finalizedFeaturesEpoch };
    });
  if (isJsonOutput(p)) {
    await writeJson(rows.map((r) => ({ ...r, epoch: r.epoch === null ? null : Number(r.epoch) })));
    return 0;
  }
  const text = rows
    .map(
      (r) =>
        `Feature: ${r.feature}\tSupportedMinVersion: ${levelText(r.feature, r.supportedMin)}\tSupportedMaxVersion: ${levelText(r.feature, r.supportedMax)}\tFinalizedVersionLevel: ${levelText(r.feature, r.finalized)}\tEpoch: ${r.epoch ?? '-'}\n`,
    )
    .join('');
  await writeOut(text);
  return 0;
}

/** FeatureCommand.parseNameAndLevel. */
function nameAndLevel(input: string): [string, number] {
  const i = input.indexOf('=');
  if (i < 0) throw new UsageError(`Can't parse feature=level string ${input}: equals sign not found.`);
  const level = input.slice(i + 1).trim();
  if (!/^-?\d+$/.test(level) || Number(level) < -32768 || Number(level) > 32767)
    throw new UsageError(`Can't parse feature=level string ${input}: unable to parse ${level} as a short.`);
  return [input.slice(0, i).trim(), Number(level)];
}

const KNOWN_LEVELS = KRAFT_METADATA_VERSIONS.filter(([level]) => level >= MINIMUM_BOOTSTRAP_METADATA_VERSION)
  .map(([, name]) => name)
  .join(', ');

function updatesOf(p: ParsedArgs, upgradeType: NonNullable<FeatureUpdate['upgradeType']>): Record<string, FeatureUpdate> {
  const updates: Record<string, FeatureUpdate> = {};
  const metadata = p.values.get('metadata');
  if (metadata !== undefined) {
    const level = parseMetadataVersion(metadata);
    if (level === undefined || level < MINIMUM_BOOTSTRAP_METADATA_VERSION)
      throw new Error(`Unknown metadata.version ${metadata}. Supported metadata.version are ${KNOWN_LEVELS}`);
    updates['metadata.version'] = { maxVersionLevel: level, upgradeType };
  }
  for (const f of p.repeated.get('feature') ?? []) {
    const [name, level] = nameAndLevel(f);
    updates[name] = { maxVersionLevel: level, upgradeType };
  }
  return updates;
}

/** FeatureCommand.update: one line per feature, then the failure count. */
async function update(
  admin: Admin,
  p: ParsedArgs,
  op: 'upgrade' | 'downgrade' | 'disable',
  updates: Record<string, FeatureUpdate>,
): Promise<number> {
  const features = Object.keys(updates).sort();
  if (features.length === 0) throw new UsageError(`You must specify at least one feature to ${op}`);
  const dryRun = p.flags.has('dry-run');
  let error: unknown = null;
  try {
    await admin.updateFeatures(updates, { validateOnly: dryRun });
  } catch (err) {
    error = err;
  }
  if (error !== null && (error as { errorCode?: number }).errorCode === undefined) throw error; // not the controller's answer
  const reason = error === null ? '' : ((error as { errorMessage?: string | null }).errorMessage ?? (error as Error).message);
  let out = '';
  for (const feature of features) {
    const level = updates[feature]!.maxVersionLevel;
    if (error !== null) {
      const what = op === 'disable' ? `disable ${feature}` : `${op} ${feature} to ${level}`;
      out += `${dryRun ? 'Can not ' : 'Could not '}${what}. ${reason}\n`;
    } else {
      out += `${feature}${dryRun ? ' can be ' : ' was '}${op === 'disable' ? 'disabled.' : `${op}d to ${level}.`}\n`;
    }
  }
  await writeOut(out);
  if (error !== null) throw new Error(`${features.length} out of ${features.length} operation(s) failed.`);
  return 0;
}

const upgrade = (admin: Admin, p: ParsedArgs) => update(admin, p, 'upgrade', updatesOf(p, 'upgrade'));
const downgrade = (admin: Admin, p: ParsedArgs) =>
  update(admin, p, 'downgrade', updatesOf(p, p.flags.has('unsafe') ? 'unsafe-downgrade' : 'safe-downgrade'));

function disable(admin: Admin, p: ParsedArgs): Promise<number> {
  if (p.values.has('metadata')) throw new UsageError('disable takes --feature <name> only');
  const downgradeType = p.flags.has('unsafe') ? 'unsafe-downgrade' : 'safe-downgrade';
  const updates: Record<string, FeatureUpdate> = {};
  for (const name of p.repeated.get('feature') ?? []) updates[name] = { maxVersionLevel: 0, upgradeType: downgradeType };
  return update(admin, p, 'disable', updates);
}

export const featuresCommand: Command = {
  name: 'features',
  summary: "describe and change the cluster's feature levels, e.g. metadata.version (as kafka-features.sh)",
  usage: USAGE,
  run: adminSubcommands('features', USAGE, SPEC, { describe, upgrade, downgrade, disable }),
};
