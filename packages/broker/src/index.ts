// @tributary/broker: the Kafka-compatible broker — network server, handlers, configuration.
export * from './broker.ts';
export * from './config/broker-config.ts';
export * from './config/definitions.ts';
export * from './config/docs.ts';
export * from './config/listeners.ts';
export * from './config/properties.ts';
export * from './handlers/registry.ts';
export * from './handlers/dispatcher.ts';
export { createDefaultRegistry, defaultHandlers } from './handlers/index.ts';
export * from './logger.ts';
export * from './services.ts';
export type { ConnectionInfo, FrameProcessor, ResponseFrame, ConnectionLimits } from './network/connection.ts';
export { SocketServer, type BoundListener, type ListenerSpec } from './network/socket-server.ts';
