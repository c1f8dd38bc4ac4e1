// Error codes the group coordinator returns (values from Kafka's error-codes.json). A local
// table so the coordinator does not depend on the generated codec; numerically identical to
// `ErrorCode` in @tributary/protocol.
export const GroupError = {
  UNKNOWN_SERVER_ERROR: -1,
  NONE: 0,
  OFFSET_METADATA_TOO_LARGE: 12,
  COORDINATOR_LOAD_IN_PROGRESS: 14,
  COORDINATOR_NOT_AVAILABLE: 15,
  NOT_COORDINATOR: 16,
  ILLEGAL_GENERATION: 22,
  INCONSISTENT_GROUP_PROTOCOL: 23,
  INVALID_GROUP_ID: 24,
  UNKNOWN_MEMBER_ID: 25,
  INVALID_SESSION_TIMEOUT: 26,
  REBALANCE_IN_PROGRESS: 27,
  NON_EMPTY_GROUP: 68,
  GROUP_ID_NOT_FOUND: 69,
  MEMBER_ID_REQUIRED: 79,
  GROUP_MAX_SIZE_REACHED: 81,
  FENCED_INSTANCE_ID: 82,
  GROUP_SUBSCRIBED_TO_TOPIC: 86,
} as const;

/** Thrown inside coordinator operations to answer with an error code (never crosses the wire). */
export class GroupApiError extends Error {
  constructor(readonly code: number, message?: string) {
    super(message ?? `group coordinator error ${code}`);
  }
}
