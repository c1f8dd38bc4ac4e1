// The default handler set: every API the broker serves, one module per API key. New handler
// modules are added to `defaultHandlers`.
import { apiVersionsHandler } from './api-versions.ts';
import { HandlerRegistry, type ApiHandler } from './registry.ts';

export const defaultHandlers: readonly ApiHandler[] = [apiVersionsHandler];

export function createDefaultRegistry(): HandlerRegistry {
  const registry = new HandlerRegistry();
  for (const h of defaultHandlers) registry.register(h);
  return registry;
}
