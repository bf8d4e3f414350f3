import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { exampleActions } from '../../examples/actions.js';
import { StoreError, UsageError, openEngine, type ActionDefinition, type Engine } from '../index.js';
import type { GlobalOptions } from './args.js';

/**
 * The catalog the CLI runs with: the standard actions and the demo actions of examples/, plus
 * the actions of `--actions MODULE` (which replace same-named defaults, so a module can swap
 * a demo action for a real one).
 */
export async function loadCatalog(globals: GlobalOptions): Promise<ActionDefinition[]> {
  const { standardActions } = await import('../../stdlib/index.js');
  const byName = new Map<string, ActionDefinition>();
  // The CLI serves registered tenants only (`alice tenants add`): a mistyped --tenant gets a
  // clear ALICE_UNKNOWN_TENANT rather than data filed under a name nobody owns.
  for (const a of [...standardActions({ store: globals.store, tenants: 'registered' }), ...exampleActions({ store: globals.store })]) byName.set(a.name, a);
  if (globals.actions !== null) {
    for (const a of await importActions(globals.actions, globals.store)) byName.set(a.name, a);
  }
  return [...byName.values()];
}

/**
 * Loads an action module: it exports `actions` (an array of defineAction results) or a
 * default array, or a function of `{ store }` returning one.
 */
export async function importActions(path: string, store: string): Promise<ActionDefinition[]> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(resolve(path)).href)) as Record<string, unknown>;
  } catch (err) {
    throw new UsageError(`--actions ${path}: cannot load the module (${(err as Error).message.split('\n')[0]})`);
  }
  let value = mod.actions ?? mod.default;
  if (typeof value === 'function') value = (value as (o: { store: string }) => unknown)({ store });
  if (!Array.isArray(value)) {
    throw new UsageError(`--actions ${path}: the module must export \`actions\` (or a default export): an array of defineAction(...) results`);
  }
  value.forEach((a: unknown, i: number) => {
    const def = a as Partial<ActionDefinition> | null;
    if (typeof def !== 'object' || def === null || typeof def.name !== 'string' || typeof def.run !== 'function' || typeof def.retry !== 'object') {
      throw new UsageError(`--actions ${path}: actions[${i}] is not an action; build each one with defineAction({ name, input, run, ... })`);
    }
  });
  return value as ActionDefinition[];
}

/** Opens the engine on the store with the CLI's catalog. Store problems are StoreErrors (exit 4). */
export async function openCliEngine(globals: GlobalOptions): Promise<Engine> {
  const actions = await loadCatalog(globals);
  if (globals.store !== ':memory:') {
    // `--store .alice/dev.db` in a fresh clone should just work: the store is created if
    // missing, and so is its folder.
    try {
      mkdirSync(dirname(resolve(globals.store)), { recursive: true });
    } catch (err) {
      throw new StoreError(globals.store, `cannot create its folder (${(err as Error).message})`);
    }
  }
  return openEngine({ store: globals.store, actions, durability: globals.durability });
}
