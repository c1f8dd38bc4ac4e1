// @tributary/testkit: start Tributary brokers and clusters in-process for tests (startCluster:
// independent brokers; startSharedLogCluster: a test fake whose nodes share one log), and the
// MockTime to drive them with (pass it as `time`: retention, flush, group timers move only when it advances).
export * from './start-broker.ts';
export * from './start-cluster.ts';
export * from './start-shared-log-cluster.ts';
export * from './shared-log-cluster.ts';
export { MockTime, type Time } from '@tributary/storage';
