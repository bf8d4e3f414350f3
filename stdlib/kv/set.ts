import type { ActionDefinition } from '../../runtime/index.js';
import { stdAction, Type, type Static } from '../schema.js';
import { Key, kvRetry, maxValueBytes, type KvTable } from './table.js';

export const KvSetInput = Type.Object(
  {
    key: Key,
    // Any JSON value; its size (at most maxValueBytes of JSON) is checked in run().
    value: Type.Unknown(),
  },
  { additionalProperties: false },
);
export type KvSetArgs = Static<typeof KvSetInput>;
const KvSetOutput = Type.Object({ key: Type.String() });

/**
 * `kv.set({ key, value })`: stores a JSON value under `key` in the run's tenant, replacing
 * what was there. Values over {@link maxValueBytes} bytes of JSON fail with `ALICE_VALIDATION`.
 *
 * @example await actions.kv.set({ key: 'plan', value: { tier: 'pro' } });
 */
export default function kvSet(table: KvTable): ActionDefinition<KvSetArgs, Static<typeof KvSetOutput>> {
  return stdAction({
    name: 'kv.set',
    description: `Stores a JSON value (at most ${maxValueBytes} bytes) under a key of the run's tenant.`,
    input: KvSetInput,
    output: KvSetOutput,
    permission: 'kv:write',
    // A statement on Alice's own store: its outcome can be handed back at the call.
    inline: true,
    // Writing the same value twice leaves the same state: a re-executed step (after a crash
    // between the write and the journal) is harmless without an idempotency key.
    retry: kvRetry,
    timeout: '10s',
    run: ({ key, value }, ctx) => {
      table.set(ctx, key, value, Date.now());
      return { key };
    },
    // No finalize: the entry outlives the run by design.
  });
}
