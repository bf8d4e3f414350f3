import { defineAction, type ActionDefinition, type JsonSchema } from '../../runtime/index.js';
import { keySchema, kvRetry, maxValueBytes, type KvTable } from './table.js';

export interface KvSetArgs {
  key: string;
  value: unknown;
}

export const KvSetInput: JsonSchema = {
  type: 'object',
  properties: {
    key: keySchema,
    // Any JSON value; its size (at most maxValueBytes of JSON) is checked in run().
    value: {},
  },
  required: ['key', 'value'],
  additionalProperties: false,
};

/**
 * `kv.set({ key, value })`: stores a JSON value under `key` in the run's tenant, replacing
 * what was there. Values over {@link maxValueBytes} bytes of JSON fail with `ALICE_VALIDATION`.
 *
 * @example await actions.kv.set({ key: 'plan', value: { tier: 'pro' } });
 */
export default function kvSet(table: KvTable): ActionDefinition<KvSetArgs, { key: string }> {
  return defineAction<KvSetArgs, { key: string }>({
    name: 'kv.set',
    description: `Stores a JSON value (at most ${maxValueBytes} bytes) under a key of the run's tenant.`,
    input: KvSetInput,
    output: { type: 'object', properties: { key: { type: 'string' } }, required: ['key'] },
    permission: 'kv:write',
    // Writing the same value twice leaves the same state: a re-executed step (after a crash
    // between the write and the journal) is harmless without an idempotency key.
    retry: kvRetry,
    secret: [],
    timeout: '10s',
    run: ({ key, value }, ctx) => {
      table.set(ctx.tenant, key, value, Date.now());
      return { key };
    },
    // No finalize: the entry outlives the run by design.
  });
}
