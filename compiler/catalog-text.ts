import type { CatalogEntry } from './catalog.js';
import { schemaToTs } from './types/schema-to-ts.js';

/**
 * The action catalog as text for an LLM that writes a workflow (an agent workflow, or a user's
 * with an assistant's help): what each action does, the permission it needs, and its argument
 * and result types, written the way the workflow will call it. It is generated from the same
 * schemas the host validates with, so the model is told exactly what the engine accepts.
 *
 * @example
 * const prompt = catalogText(catalogOf(standardActions({ store: 'alice.db' })));
 */
export function catalogText(catalog: readonly CatalogEntry[]): string {
  const out: string[] = [
    '# Actions a workflow may call',
    '',
    'A workflow touches the world only through these actions. Each takes one object of named',
    'arguments and is awaited: `await kv.get({ key: "plan" })` in TypeScript (import the namespace',
    'from "alice"), `kv.get(key: "plan")` in the DSL. Every call is a journaled step. A failure',
    'throws an ActionError with a `code` (e.g. ALICE_VALIDATION, ALICE_UNAUTHORIZED) that the',
    'workflow may catch. A run needs the permission of each action it calls.',
    '',
    'Built in, always present: sleep(duration), waitForEvent(type, { match, timeout }), now(),',
    'random(), log(...values). Durations are milliseconds or strings like "30s", "5m", "2h", "7d".',
    '',
  ];
  let namespace = '';
  for (const a of catalog) {
    const ns = a.name.slice(0, a.name.indexOf('.'));
    if (ns !== namespace) {
      namespace = ns;
      out.push(`## ${ns}`, '');
    }
    out.push(`### ${a.name}`);
    if (a.description !== '') out.push(a.description);
    out.push(`- permission: ${a.permission ?? 'none'}`);
    out.push(`- arguments: ${indentRest(schemaToTs(a.input))}`);
    out.push(`- result: ${indentRest(a.output === null ? 'unknown' : schemaToTs(a.output))}`);
    out.push('');
  }
  return `${out.join('\n').trimEnd()}\n`;
}

function indentRest(text: string): string {
  return text.split('\n').join('\n  ');
}
