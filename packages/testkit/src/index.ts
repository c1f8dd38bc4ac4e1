// @tributary/testkit: start Tributary brokers and clusters in-process for tests (startBroker: one
// broker; startCluster: independent brokers; startSharedLogCluster: a test fake whose nodes share one
// log), the helpers test authors reach for (createTopic, produce, consumeUntil, waitForGroup), fault
// injection at the request handlers (RequestFaults), and the MockTime to drive brokers with (pass it
// as `time`: retention, flush, group timers move only when it advances).
export * from './start-broker.ts';
export * from './start-cluster.ts';
export * from './start-shared-log-cluster.ts';
export * from './shared-log-cluster.ts';
export * from './client-helpers.ts';
export * from './request-faults.ts';
export { MockTime, type Time } from '@tributary/storage';
