/**
 * Fixture of the core-review tests: a real SQLite file in a fresh temp dir, real isolated-vm
 * (through the engine) and a ManualClock. Each test proves one suspected bug of the core.
 */
export { gate, until, type Gate } from '../support/waiting.js';

export { T0 } from '../support/store.js';
import { newStoreFixture, type StoreFixture } from '../support/store.js';

export type Fixture = StoreFixture;

export function newFixture(): Fixture {
  return newStoreFixture('alice-review-', { isolates: 1 });
}

export function bundle(name: string, actions: string[], script: string) {
  return { script, manifest: { name, kind: 'user' as const, actions } };
}

export function delay(ms: number): Promise<'timeout'> {
  return new Promise((resolve) => setTimeout(() => resolve('timeout'), ms).unref());
}

