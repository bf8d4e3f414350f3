import { existsSync, readFileSync } from 'node:fs';
import type { CatalogEntry } from '../compiler/catalog.js';

/** Where `npm run build` writes the standard catalog, next to this module in dist/. */
export const catalogFile = new URL('./catalog.json', import.meta.url);

/**
 * The standard actions as the compiler sees them (name, description, schemas, permission).
 * From `catalog.json`, which the build writes next to the built module, when it is there:
 * `alice check` then never loads the actions themselves (TypeBox, the openai client, nodemailer:
 * ≈ 0.15 s of a 0.8 s check). Otherwise built from the actions.
 */
export async function standardCatalog(): Promise<CatalogEntry[]> {
  if (existsSync(catalogFile)) return JSON.parse(readFileSync(catalogFile, 'utf8')) as CatalogEntry[];
  return buildStandardCatalog();
}

/** The standard catalog, built from the actions. */
export async function buildStandardCatalog(): Promise<CatalogEntry[]> {
  const [{ catalogOf }, { standardActions }] = await Promise.all([import('../compiler/catalog.js'), import('./index.js')]);
  return catalogOf(standardActions({ store: ':memory:' }));
}
