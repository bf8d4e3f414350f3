/**
 * Alice's system workflows (DESIGN §5): written in our own languages (stdlib/workflows/src/),
 * compiled by the same compilers as any user's workflow, and run in the same sandbox.
 *
 * - `alice.chat` (restricted TypeScript): a user's chat message → `kb.search` → `llm.chat`
 *   with the passages → `chat.post` of the answer, citing its sources. Started per message, with
 *   the chatting user in its context (`alice chat`).
 * - `alice.kb-updater` (the DSL): a `kb.document` event with a document's text or URL → chunks
 *   → `kb.add`. Subscribed to the event for every tenant; re-running it adds nothing twice.
 *
 * `npm run build` compiles them into `dist/stdlib/workflows/bundles/`; when those are missing,
 * or older than a source, they are compiled on first use.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateBundle, type Bundle, type Engine, type WorkflowVersion } from '../../runtime/index.js';

/** The system workflows by name, with their source files (relative to stdlib/workflows/src). */
export const systemWorkflows = {
  chat: { name: 'alice.chat', source: 'chat.ts' },
  kbUpdater: { name: 'alice.kb-updater', source: 'kb-updater.alice' },
} as const;

/** The event that starts the knowledge-base updater. */
export const kbDocumentEvent = 'kb.document';

const here = dirname(fileURLToPath(import.meta.url));

/** The package root: the same code runs from stdlib/workflows and from dist/stdlib/workflows. */
function packageRoot(): string {
  let dir = here;
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    dir = dirname(dir);
  }
  throw new Error(`cannot find the package root above ${here}`);
}

/** Where the TypeScript and DSL sources of the system workflows are. */
export function systemSourceDir(): string {
  return join(packageRoot(), 'stdlib', 'workflows', 'src');
}

/** Where `npm run build` writes the compiled bundles. */
export function systemBundleDir(): string {
  return join(packageRoot(), 'dist', 'stdlib', 'workflows', 'bundles');
}

/**
 * Compiles the system workflows from their sources against the standard catalog. Throws with
 * the diagnostics when one does not compile (a bug of ours, caught by the build and the tests).
 */
export async function compileSystemWorkflows(): Promise<Record<keyof typeof systemWorkflows, Bundle>> {
  const [{ catalogOf }, { compileSource }, { compileDslSource }, { readSource }, { standardActions }] = await Promise.all([
    import('../../compiler/catalog.js'),
    import('../../compiler/compile.js'),
    import('../../compiler/dsl/compile.js'),
    import('../../compiler/sources.js'),
    import('../index.js'),
  ]);
  const catalog = catalogOf(standardActions({ store: ':memory:', tenants: 'any' }));
  const out = {} as Record<keyof typeof systemWorkflows, Bundle>;
  for (const [key, wf] of Object.entries(systemWorkflows) as Array<[keyof typeof systemWorkflows, (typeof systemWorkflows)[keyof typeof systemWorkflows]]>) {
    const source = readSource(join(systemSourceDir(), wf.source));
    const result = wf.source.endsWith('.alice') ? compileDslSource(source, { catalog }) : compileSource(source, { catalog });
    const errors = result.diagnostics.filter((d) => d.severity === 'error');
    if (result.bundle === null || errors.length > 0) {
      throw new Error(`system workflow ${wf.source} does not compile:\n${errors.map((d) => `  ${d.line}:${d.column} ${d.rule} ${d.message}`).join('\n')}`);
    }
    // The bundle names its source by base name; keep the source map's path stable too.
    out[key] = result.bundle;
  }
  return out;
}

let loaded: Promise<Record<keyof typeof systemWorkflows, Bundle>> | null = null;

/** The system workflows' bundles: the prebuilt ones when the build made them, else compiled now. */
export function systemBundles(): Promise<Record<keyof typeof systemWorkflows, Bundle>> {
  loaded ??= (async () => {
    const dir = systemBundleDir();
    const files = Object.values(systemWorkflows).map((wf) => join(dir, `${wf.name}.json`));
    const sources = Object.values(systemWorkflows).map((wf) => join(systemSourceDir(), wf.source));
    // A source edited after the build would otherwise run as its old bundle.
    const fresh = files.every((f, i) => existsSync(f) && (!existsSync(sources[i]) || statSync(sources[i]).mtimeMs <= statSync(f).mtimeMs));
    if (fresh) {
      const keys = Object.keys(systemWorkflows) as Array<keyof typeof systemWorkflows>;
      return Object.fromEntries(keys.map((k, i) => [k, validateBundle(JSON.parse(readFileSync(files[i], 'utf8')))])) as Record<keyof typeof systemWorkflows, Bundle>;
    }
    return compileSystemWorkflows();
  })();
  return loaded;
}

/** Options of {@link installSystemWorkflows}. */
export interface InstallOptions {
  /**
   * Hosts the knowledge-base updater may fetch documents from (its manifest's `hosts`). They
   * add to those of the version deployed before: granting a host is a deliberate act of the
   * operator (`alice kb add URL` grants the URL's host), and it makes a new version.
   */
  kbHosts?: readonly string[];
}

/**
 * Deploys the system workflows (a no-op for versions already deployed) and subscribes the
 * knowledge-base updater to `kb.document` events of every tenant.
 *
 * @example
 * const { chat } = await installSystemWorkflows(engine);
 * engine.start(chat.id, { input: { conversation: 'c1', text: 'What is our refund policy?' }, user: { id: 'ada' } });
 */
export async function installSystemWorkflows(engine: Engine, options: InstallOptions = {}): Promise<{ chat: WorkflowVersion; kbUpdater: WorkflowVersion }> {
  const bundles = await systemBundles();
  const chat = engine.deploy(bundles.chat, { system: true });
  const previous = engine.listWorkflows().filter((w) => w.name === systemWorkflows.kbUpdater.name).pop();
  const hosts = [...new Set([...(previous?.manifest.hosts ?? []), ...(bundles.kbUpdater.manifest.hosts ?? []), ...(options.kbHosts ?? [])])];
  const granted = hosts.length === (bundles.kbUpdater.manifest.hosts ?? []).length ? bundles.kbUpdater : withHosts(bundles.kbUpdater, hosts);
  const kbUpdater = engine.deploy(granted, { system: true });
  // Documents come from people and the host (the CLI, the API), never from events that runs
  // emit: the updater runs with the system's permissions, so a workflow holding only
  // events:emit must not be able to have it fetch a URL or rewrite the knowledge base.
  engine.subscribe(kbUpdater.id, { tenant: '*', user: { id: 'system' }, fromRuns: false });
  return { chat, kbUpdater };
}

/** The bundle with another `hosts` list: a new manifest, so a new code hash and version. */
function withHosts(bundle: Bundle, hosts: string[]): Bundle {
  const { codeHash: _old, ...manifest } = bundle.manifest;
  return validateBundle({ ...bundle, manifest: { ...manifest, hosts } });
}

/** The host pattern a URL needs (its host, with its port when not the default). */
export function hostPatternOf(url: string): string {
  const u = new URL(url);
  return u.port === '' ? u.hostname : `${u.hostname}:${u.port}`;
}
