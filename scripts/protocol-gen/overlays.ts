// Spec overlays: wire changes of a Kafka release newer than the shared specs
// (../shared/kafka-protocol, Kafka 3.9), declared here in our own words and applied on top of the
// spec as it is read. An overlay is not a copy of Kafka's file: it names the spec it amends, the
// validVersions it expects to find there (`from`) and widens them to (`to`), and declares each
// field it adds (name, type, versions, where it goes) as the KIP describes it.
//
// Safety: an overlay applies only to the exact spec it was written against. If the shared spec's
// validVersions are no longer `from`, or it already has a field an overlay adds, the generator
// stops with an error saying the overlay is stale (the shared copy caught up: delete the overlay,
// and expect Kafka's own field names, e.g. KIP-996's ReplicaEpoch/ReplicaId for
// CandidateEpoch/CandidateId). A generated module built with an overlay says so in its header.
//
// Today's overlay, KIP-996 (pre-vote, Kafka 4.0): VoteRequest v2 appends one field, PreVote (bool,
// versions 2+), after LastOffset in each partition; v2 is otherwise v1 (Kafka 4.0 renames
// CandidateEpoch/CandidateId/CandidateDirectoryId to ReplicaEpoch/ReplicaId/ReplicaDirectoryId,
// which changes no bytes, so the 3.9 names stay). VoteResponse v2 is byte-for-byte v1 (a pre-vote
// answer is told apart by the asker's own state, not by a field); it is widened so request and
// response versions move together. A v0/v1 VoteRequest cannot say "pre-vote": the sender must not
// send one below v2 (see packages/broker/src/controller/raft/raft-wire.ts).

/** A field as the spec JSON declares it (the subset overlays use). */
export interface OverlayField {
  name: string;
  type: string;
  versions: string;
  about: string;
  default?: string;
}

export interface SpecOverlay {
  /** The spec it amends, relative to the spec folder. */
  source: string;
  /** Why (the KIP and the Kafka release), shown in the generated header. */
  why: string;
  /** validVersions the shared spec must have for this overlay to apply. */
  from: string;
  /** validVersions after the overlay. */
  to: string;
  /** Fields appended to the struct reached by `path` (field names from the root, e.g. Topics, Partitions). */
  add: { path: string[]; field: OverlayField }[];
}

export const OVERLAYS: readonly SpecOverlay[] = [
  {
    source: 'messages/VoteRequest.json',
    why: 'KIP-996 pre-vote (Kafka 4.0): v2 adds PreVote',
    from: '0-1',
    to: '0-2',
    add: [
      {
        path: ['Topics', 'Partitions'],
        field: {
          name: 'PreVote',
          type: 'bool',
          versions: '2+',
          about: 'KIP-996: true asks whether the voter would grant a vote, without changing its election state',
        },
      },
    ],
  },
  {
    source: 'messages/VoteResponse.json',
    why: 'KIP-996 pre-vote (Kafka 4.0): v2, the same as v1',
    from: '0-1',
    to: '0-2',
    add: [],
  },
];

interface RawSpec {
  validVersions: string;
  fields: RawSpecField[];
}

interface RawSpecField {
  name: string;
  fields?: RawSpecField[];
}

/** Applies the overlay for `source` (if any) to the parsed spec in place; returns its `why`, or undefined. */
export function applyOverlay(raw: RawSpec, source: string, overlays: readonly SpecOverlay[] = OVERLAYS): string | undefined {
  const overlay = overlays.find((o) => o.source === source);
  if (!overlay) return undefined;
  const stale = (what: string) =>
    new Error(
      `spec overlay for ${source} is stale (${what}): the shared spec changed; review or delete it in scripts/protocol-gen/overlays.ts`,
    );
  if (raw.validVersions !== overlay.from) throw stale(`validVersions is ${raw.validVersions}, the overlay expects ${overlay.from}`);
  for (const { path, field } of overlay.add) {
    let fields = raw.fields;
    for (const name of path) {
      const next = fields.find((f) => f.name === name)?.fields;
      if (!next) throw stale(`no struct field ${path.join('.')}`);
      fields = next;
    }
    if (fields.some((f) => f.name === field.name)) throw stale(`${path.join('.')} already has ${field.name}`);
    fields.push({ ...field });
  }
  raw.validVersions = overlay.to;
  return overlay.why;
}
