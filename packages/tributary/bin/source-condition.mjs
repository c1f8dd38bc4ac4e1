// A module resolution hook for runs from a checkout: adds the `tributary-source` export condition, so
// `@tributary/*` imports resolve to the TypeScript sources (src/) rather than the compiled dist/.
export async function resolve(specifier, context, next) {
  return next(specifier, { ...context, conditions: [...context.conditions, 'tributary-source'] });
}
