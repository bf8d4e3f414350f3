import type { ActionDefinition, JsonSchema } from '../runtime/index.js';

/**
 * What the compiler knows of one catalog action: enough to declare it to TypeScript and to
 * check calls, nothing it could run. Built from the engine's `ActionDefinition`s, so the
 * declarations a workflow is checked against are the actions the engine will serve.
 */
export interface CatalogEntry {
  /** `namespace.verb`, e.g. `kv.get`. */
  name: string;
  description: string;
  /** JSON Schema of the one argument object. */
  input: JsonSchema;
  /** JSON Schema of the result, when the action declares one; otherwise the result is `unknown`. */
  output: JsonSchema | null;
  /** The permission the action needs, shown in hovers and docs. */
  permission: string | null;
}

/**
 * The compiler's view of an action catalog.
 *
 * @example
 * const catalog = catalogOf(standardActions({ store: 'alice.db' }));
 */
export function catalogOf(actions: readonly ActionDefinition[]): CatalogEntry[] {
  return actions
    .map((a) => ({
      name: a.name,
      description: a.description,
      input: a.input,
      output: a.output,
      permission: a.permission,
    }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
