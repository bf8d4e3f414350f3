import type { CatalogEntry } from '../../compiler/catalog.js';

/** Where `npm run build` writes the example actions' catalog, next to this module in dist/. */
export const exampleCatalogFile = new URL('./example-catalog.json', import.meta.url);

/** The example actions (examples/actions.ts), which every command line serves, as the compiler sees them, from `example-catalog.json` when the build wrote it. */
export async function exampleCatalog(): Promise<CatalogEntry[]> {
  // Imported here: the runtime loads the compiler's modules only in the commands that need them.
  const { prebuiltCatalog } = await import('../../compiler/catalog.js');
  return prebuiltCatalog(exampleCatalogFile, buildExampleCatalog);
}

/** The example catalog, built from the actions. */
export async function buildExampleCatalog(): Promise<CatalogEntry[]> {
  const [{ catalogOf }, { exampleActions }] = await Promise.all([import('../../compiler/catalog.js'), import('../../examples/actions.js')]);
  return catalogOf(exampleActions({ store: ':memory:' }));
}
