// The default handler set: every API the broker serves, one module per API key. New handler
// modules are added to `defaultHandlers`.
import { apiVersionsHandler } from './api-versions.ts';
import { createTopicsHandler } from './create-topics.ts';
import { fetchHandler } from './fetch.ts';
import { listOffsetsHandler } from './list-offsets.ts';
import { metadataHandler } from './metadata.ts';
import { produceHandler } from './produce.ts';
import { HandlerRegistry, type ApiHandler } from './registry.ts';

export const defaultHandlers: readonly ApiHandler[] = [produceHandler, fetchHandler, listOffsetsHandler, apiVersionsHandler, metadataHandler, createTopicsHandler];

export function createDefaultRegistry(): HandlerRegistry {
  const registry = new HandlerRegistry();
  for (const h of defaultHandlers) registry.register(h);
  return registry;
}
