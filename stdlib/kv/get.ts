import type { ActionDefinition } from '../../runtime/index.js';
import { stdAction, Type, type Static } from '../schema.js';
import { Key, kvRetry, type KvTable } from './table.js';

export const KvGetInput = Type.Object({ key: Key }, { additionalProperties: false });
export type KvGetArgs = Static<typeof KvGetInput>;

/**
 * `kv.get({ key })`: the value stored under `key` in the run's tenant, or `null` when there is
 * none (a stored `null` reads the same as a missing key).
 *
 * @example const plan = await actions.kv.get({ key: 'plan' });
 */
export default function kvGet(table: KvTable): ActionDefinition<KvGetArgs, unknown> {
  return stdAction({
    name: 'kv.get',
    description: "Reads a value of the run's tenant by key; null when absent.",
    input: KvGetInput,
    // Any JSON value, or null when the key is absent.
    output: Type.Unknown(),
    permission: 'kv:read',
    // A statement on Alice's own store: its outcome can be handed back at the call.
    inline: true,
    // A read has no effect, so a retry or a re-executed step simply reads again.
    retry: kvRetry,
    timeout: '10s',
    run: ({ key }, ctx) => table.get(ctx, key),
    // No finalize: kv entries are the tenant's durable data, not memos of one run.
  });
}
