import { existsSync, readFileSync } from 'node:fs';
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

/**
 * A catalog as the build wrote it to `file` (JSON next to the built module), or `build()` when
 * the file is not there (running from sources). Reading the file keeps `alice check` from
 * loading the actions themselves, and what they import (TypeBox, the openai client, nodemailer,
 * node:crypto): about a fifth of a one-file check.
 */
export async function prebuiltCatalog(file: URL, build: () => Promise<CatalogEntry[]>): Promise<CatalogEntry[]> {
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as CatalogEntry[];
  return build();
}
