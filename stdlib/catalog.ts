import { prebuiltCatalog, type CatalogEntry } from '../compiler/catalog.js';

/** Where `npm run build` writes the standard catalog, next to this module in dist/. */
export const catalogFile = new URL('./catalog.json', import.meta.url);

/**
 * The standard actions as the compiler sees them (name, description, schemas, permission), from
 * `catalog.json` when the build wrote it (see `prebuiltCatalog`), otherwise built from the actions.
 */
export function standardCatalog(): Promise<CatalogEntry[]> {
  return prebuiltCatalog(catalogFile, buildStandardCatalog);
}

/** The standard catalog, built from the actions. */
export async function buildStandardCatalog(): Promise<CatalogEntry[]> {
  const [{ catalogOf }, { standardActions }] = await Promise.all([import('../compiler/catalog.js'), import('./index.js')]);
  return catalogOf(standardActions({ store: ':memory:' }));
}
