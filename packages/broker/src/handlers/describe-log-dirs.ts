// DescribeLogDirs (API key 35).
//
// Versions: 0-4.
//
// Behaviour:
// * One result per configured log directory (absolute path, as Kafka's
//   ReplicaManager.describeLogDirs): the partitions held there, grouped by topic, each with its
//   size in bytes (sum of its segment files), offsetLag 0 and isFutureKey false; a replica moving
//   into the dir (AlterReplicaLogDirs) is listed there too as its future replica: isFutureKey true
//   and offsetLag = how far its copy is behind the current replica's log end offset.
// * Topics = null describes every partition; otherwise only the requested partitions (unknown
//   ones are left out, as are topics with none left).
// * A directory taken offline by an I/O error (JBOD, see replica/log-dir-failure-handler.ts), or
//   whose filesystem cannot be read, answers KAFKA_STORAGE_ERROR with no topics (sizes -1).
// * Authorization: DESCRIBE on the cluster, else CLUSTER_AUTHORIZATION_FAILED (v3+) and no results.
//
// Version notes:
// * v3: top-level error code (NONE).
// * v4: totalBytes / usableBytes of the directory's filesystem (statfs; usable = space available
//   to unprivileged users).
import { statfs } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import {
  ApiKey,
  ErrorCode,
  type DescribeLogDirsResponseDescribeLogDirsResult,
  type DescribeLogDirsResponseDescribeLogDirsTopic,
} from '@tributary/protocol';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../server/authorizer.ts';
import type { ApiHandler } from '../server/handler-registry.ts';

const LONG_MAX = 2n ** 63n - 1n;

/** No results; the top-level ErrorCode is v3+ and ignorable: before v3 Kafka's answer carries no error. */
const describeLogDirsError = (errorCode: number, version: number) => ({
  throttleTimeMs: 0,
  results: [],
  ...(version >= 3 ? { errorCode } : {}),
});

export const describeLogDirsHandler: ApiHandler<typeof ApiKey.DescribeLogDirs> = {
  apiKey: ApiKey.DescribeLogDirs,
  name: 'DescribeLogDirs',
  minVersion: 0,
  maxVersion: 4,
  async handle(ctx, request) {
    const s = ctx.services;
    if (!ctx.authorize(AclOperation.DESCRIBE, ResourceType.CLUSTER, CLUSTER_NAME)) {
      return describeLogDirsError(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, ctx.header.apiVersion);
    }
    const wanted = request.topics === null ? null : new Set(request.topics.flatMap((t) => t.partitions.map((p) => `${t.topic}\u0000${p}`)));
    // Logs grouped by directory, then by topic.
    const byDir = new Map<string, Map<string, DescribeLogDirsResponseDescribeLogDirsTopic>>();
    const logs = s.replicas.logs;
    const all = [...logs.allLogs()].map((log) => ({ log, future: false }));
    for (const log of logs.allFutureLogs()) all.push({ log, future: true });
    for (const { log, future } of all) {
      if (wanted && !wanted.has(`${log.topic}\u0000${log.partition}`)) continue;
      const dir = resolve(dirname(log.dir));
      let topics = byDir.get(dir);
      if (!topics) byDir.set(dir, (topics = new Map()));
      let t = topics.get(log.topic);
      if (!t) topics.set(log.topic, (t = { name: log.topic, partitions: [] }));
      const offsetLag = future ? (s.replicas.alterLogDirs.futureOffsetLag(log.topic, log.partition) ?? -1) : 0;
      t.partitions.push({
        partitionIndex: log.partition,
        partitionSize: BigInt(log.size),
        offsetLag: BigInt(offsetLag),
        isFutureKey: future,
      });
    }
    const results: DescribeLogDirsResponseDescribeLogDirsResult[] = [];
    for (const configured of s.config.logDirs) {
      const logDir = resolve(configured);
      if (s.replicas.logs.logDirFailure(configured)) {
        // taken offline by an I/O error (JBOD): Kafka answers the dir with KAFKA_STORAGE_ERROR only
        results.push({ errorCode: ErrorCode.KAFKA_STORAGE_ERROR, logDir, topics: [], totalBytes: -1n, usableBytes: -1n });
        continue;
      }
      try {
        const st = await statfs(logDir, { bigint: true });
        const clamp = (n: bigint) => (n < 0n || n > LONG_MAX ? LONG_MAX : n);
        const topics = [...(byDir.get(logDir)?.values() ?? [])].sort((a, b) => (a.name < b.name ? -1 : 1));
        for (const t of topics) t.partitions.sort((a, b) => a.partitionIndex - b.partitionIndex);
        results.push({
          errorCode: ErrorCode.NONE,
          logDir,
          topics,
          totalBytes: clamp(st.blocks * st.bsize),
          usableBytes: clamp(st.bavail * st.bsize),
        });
      } catch (err) {
        s.log.warn('cannot describe a log directory', { logDir, err });
        results.push({ errorCode: ErrorCode.KAFKA_STORAGE_ERROR, logDir, topics: [], totalBytes: -1n, usableBytes: -1n });
      }
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, results };
  },
  errorResponse: (_request, errorCode, version) => describeLogDirsError(errorCode, version),
};
