/**
 * Shared fixture of the semantics tests: a real SQLite file in a fresh temp dir, real
 * isolated-vm (through the engine), a ManualClock, and small tools for forcing re-runs.
 *
 * Re-runs are forced only by honest means: a run that suspends (sleep, pending, retry) is re-run
 * from the start when it resumes; an engine can be closed and a new one opened on the same file;
 * and, where a test needs a workflow that behaves differently on a re-run, it edits the store
 * between executions with its own SQLite connection (the sandbox itself is deterministic, so
 * the only way to make a re-run differ is to change what the engine reads back from disk).
 */
import type { Engine } from '../../runtime/index.js';
export { gate, until, logOf, type Gate } from '../support/waiting.js';
import { logOf } from '../support/waiting.js';

export { T0 } from '../support/store.js';
import { newStoreFixture, type StoreFixture } from '../support/store.js';

export type Fixture = StoreFixture;

export function newFixture(): Fixture {
  return newStoreFixture('alice-semantics-');
}

/** A hand-written user bundle as a script author ships it (DESIGN §10): the engine adds the code hash. */
export interface RawBundle {
  script: string;
  manifest: { name: string; kind: 'user'; actions: string[]; codeHash?: string };
}

export function bundle(name: string, actions: string[], script: string): RawBundle {
  return { script, manifest: { name, kind: 'user', actions } };
}


/** How many times the run was claimed for an execution (each one re-runs the workflow from the start). */
export function executions(engine: Engine, runId: string): number {
  return logOf(engine, runId, 'state').filter((e) => e.data.to === 'running').length;
}

/**
 * Executions the engine holds in memory. The engine keeps them private; a suspended run must
 * leave none behind, and this narrow view is the only way to see the in-memory side.
 */
export function activeExecutions(engine: Engine): number {
  return (engine as unknown as { active: Map<string, unknown> }).active.size;
}
