// The broker settings of Kafka 4's group configs (GroupCoordinatorConfig's group.consumer.* and
// group.share.*, ShareGroupConfig's group.share.*record.lock.duration.ms): the defaults and the
// bounds of the GROUP config resource (config-resources/group-config.ts: consumer.session.timeout.ms
// must lie within group.consumer.min/max.session.timeout.ms, ...). Tributary has neither KIP-848's
// consumer protocol nor KIP-932's share groups, so they are stored and described, not applied.
// Kafka's names, types, defaults and validators; Kafka's start-up cross-checks (GroupCoordinatorConfig
// and ShareGroupConfig `require`s) with their messages in groupConfigProblems.
import { atLeast, between, def } from './config-def.ts';

const NOT_APPLIED = 'Tributary has no KIP-848 consumer protocol: bounds and defaults of the GROUP config resource only.';
const NOT_APPLIED_SHARE = 'Tributary has no share groups (KIP-932): bounds and defaults of the GROUP config resource only.';

export const GROUP_CONFIG_BROKER_DEFS = {
  'group.consumer.session.timeout.ms': def(
    'int',
    45000,
    `Consumer groups' session timeout (consumer.session.timeout.ms). ${NOT_APPLIED}`,
    atLeast(1),
  ),
  'group.consumer.min.session.timeout.ms': def('int', 45000, `Smallest consumer.session.timeout.ms. ${NOT_APPLIED}`, atLeast(1)),
  'group.consumer.max.session.timeout.ms': def('int', 60000, `Largest consumer.session.timeout.ms. ${NOT_APPLIED}`, atLeast(1)),
  'group.consumer.heartbeat.interval.ms': def(
    'int',
    5000,
    `Consumer groups' heartbeat interval (consumer.heartbeat.interval.ms). ${NOT_APPLIED}`,
    atLeast(1),
  ),
  'group.consumer.min.heartbeat.interval.ms': def('int', 5000, `Smallest consumer.heartbeat.interval.ms. ${NOT_APPLIED}`, atLeast(1)),
  'group.consumer.max.heartbeat.interval.ms': def('int', 15000, `Largest consumer.heartbeat.interval.ms. ${NOT_APPLIED}`, atLeast(1)),
  'group.share.session.timeout.ms': def('int', 45000, `Share groups' session timeout. ${NOT_APPLIED_SHARE}`, atLeast(1)),
  'group.share.min.session.timeout.ms': def('int', 45000, `Smallest share.session.timeout.ms. ${NOT_APPLIED_SHARE}`, atLeast(1)),
  'group.share.max.session.timeout.ms': def('int', 60000, `Largest share.session.timeout.ms. ${NOT_APPLIED_SHARE}`, atLeast(1)),
  'group.share.heartbeat.interval.ms': def('int', 5000, `Share groups' heartbeat interval. ${NOT_APPLIED_SHARE}`, atLeast(1)),
  'group.share.min.heartbeat.interval.ms': def('int', 5000, `Smallest share.heartbeat.interval.ms. ${NOT_APPLIED_SHARE}`, atLeast(1)),
  'group.share.max.heartbeat.interval.ms': def('int', 15000, `Largest share.heartbeat.interval.ms. ${NOT_APPLIED_SHARE}`, atLeast(1)),
  'group.share.record.lock.duration.ms': def(
    'int',
    30000,
    `Share groups' record acquisition lock (share.record.lock.duration.ms). ${NOT_APPLIED_SHARE}`,
    between(1000, 3600000),
  ),
  'group.share.min.record.lock.duration.ms': def(
    'int',
    15000,
    `Smallest share.record.lock.duration.ms. ${NOT_APPLIED_SHARE}`,
    between(1000, 30000),
  ),
  'group.share.max.record.lock.duration.ms': def(
    'int',
    60000,
    `Largest share.record.lock.duration.ms. ${NOT_APPLIED_SHARE}`,
    between(30000, 3600000),
  ),
};

type Values = { [K in keyof typeof GROUP_CONFIG_BROKER_DEFS]: number };

/** Kafka's GroupCoordinatorConfig and ShareGroupConfig start-up checks, with their messages. */
export function groupConfigProblems(v: Values): string[] {
  const out: string[] = [];
  const need = (ok: boolean, text: string) => {
    if (!ok) out.push(text);
  };
  for (const kind of ['consumer', 'share'] as const) {
    const n = (s: string) => `group.${kind}.${s}` as keyof Values;
    const [hb, minHb, maxHb] = [v[n('heartbeat.interval.ms')], v[n('min.heartbeat.interval.ms')], v[n('max.heartbeat.interval.ms')]];
    const [st, minSt, maxSt] = [v[n('session.timeout.ms')], v[n('min.session.timeout.ms')], v[n('max.session.timeout.ms')]];
    need(maxHb >= minHb, `${n('max.heartbeat.interval.ms')} must be greater than or equal to ${n('min.heartbeat.interval.ms')}`);
    need(hb >= minHb, `${n('heartbeat.interval.ms')} must be greater than or equal to ${n('min.heartbeat.interval.ms')}`);
    need(hb <= maxHb, `${n('heartbeat.interval.ms')} must be less than or equal to ${n('max.heartbeat.interval.ms')}`);
    need(maxSt >= minSt, `${n('max.session.timeout.ms')} must be greater than or equal to ${n('min.session.timeout.ms')}`);
    need(st >= minSt, `${n('session.timeout.ms')} must be greater than or equal to ${n('min.session.timeout.ms')}`);
    need(st <= maxSt, `${n('session.timeout.ms')} must be less than or equal to ${n('max.session.timeout.ms')}`);
    need(hb < st, `${n('heartbeat.interval.ms')} must be less than ${n('session.timeout.ms')}`);
  }
  const lock = v['group.share.record.lock.duration.ms'];
  need(
    lock >= v['group.share.min.record.lock.duration.ms'],
    'group.share.record.lock.duration.ms must be greater than or equal to group.share.min.record.lock.duration.ms',
  );
  need(
    lock <= v['group.share.max.record.lock.duration.ms'],
    'group.share.max.record.lock.duration.ms must be greater than or equal to group.share.record.lock.duration.ms',
  );
  return out;
}
