// @tributary/testkit: start Tributary brokers and test clusters in-process for tests.
export * from './start-broker.ts';
export * from './start-cluster.ts';
