// @tributary/testkit: start Tributary brokers in-process for tests.
export * from './start-broker.ts';
