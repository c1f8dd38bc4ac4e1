// @tributary/testkit: start Tributary brokers and test clusters in-process for tests, and the
// MockTime to drive them with (pass it as `time`: retention, flush, group timers move only when it advances).
export * from './start-broker.ts';
export * from './start-cluster.ts';
export { MockTime, type Time } from '@tributary/storage';
