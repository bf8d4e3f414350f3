/**
 * `npm run build` step: compiles the system workflows (stdlib/workflows/src) into bundles in
 * dist/stdlib/workflows/bundles, so `alice chat` and `alice kb add` never load a compiler, and
 * writes the standard and example catalogs (dist/stdlib/catalog.json, dist/runtime/cli/example-catalog.json),
 * so `alice check` never loads the actions.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildExampleCatalog, exampleCatalogFile } from '../../runtime/cli/example-catalog.js';
import { buildStandardCatalog, catalogFile } from '../catalog.js';
import { compileSystemWorkflows, systemBundleDir } from './index.js';

const bundles = await compileSystemWorkflows();
mkdirSync(systemBundleDir(), { recursive: true });
for (const bundle of Object.values(bundles)) {
  writeFileSync(join(systemBundleDir(), `${bundle.manifest.name}.json`), `${JSON.stringify(bundle, null, 2)}\n`);
}
process.stderr.write(`compiled ${Object.keys(bundles).length} system workflows into ${systemBundleDir()}\n`);
writeFileSync(catalogFile, `${JSON.stringify(await buildStandardCatalog())}\n`);
writeFileSync(exampleCatalogFile, `${JSON.stringify(await buildExampleCatalog())}\n`);
