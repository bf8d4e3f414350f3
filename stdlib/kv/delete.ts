import { defineAction, type ActionDefinition, type JsonSchema } from '../../runtime/index.js';
import { keySchema, kvRetry, type KvTable } from './table.js';

export interface KvDeleteArgs {
  key: string;
}

export const KvDeleteInput: JsonSchema = {
  type: 'object',
  properties: { key: keySchema },
  required: ['key'],
  additionalProperties: false,
};

/**
 * `kv.delete({ key })`: removes `key` from the run's tenant; `{ deleted }` says whether it was there.
 *
 * @example const { deleted } = await actions.kv.delete({ key: 'session' });
 */
export default function kvDelete(table: KvTable): ActionDefinition<KvDeleteArgs, { deleted: boolean }> {
  return defineAction<KvDeleteArgs, { deleted: boolean }>({
    name: 'kv.delete',
    description: "Removes a key of the run's tenant.",
    input: KvDeleteInput,
    output: { type: 'object', properties: { deleted: { type: 'boolean' } }, required: ['deleted'] },
    permission: 'kv:write',
    // Deleting twice leaves the same state; only `deleted` may read false on a re-executed step.
    retry: kvRetry,
    secret: [],
    timeout: '10s',
    run: ({ key }, ctx) => ({ deleted: table.delete(ctx.tenant, key) }),
  });
}
