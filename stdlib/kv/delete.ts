import type { ActionDefinition } from '../../runtime/index.js';
import { stdAction, Type, type Static } from '../schema.js';
import { Key, kvRetry, type KvTable } from './table.js';

export const KvDeleteInput = Type.Object({ key: Key }, { additionalProperties: false });
export type KvDeleteArgs = Static<typeof KvDeleteInput>;
const KvDeleteOutput = Type.Object({ deleted: Type.Boolean() });

/**
 * `kv.delete({ key })`: removes `key` from the run's tenant; `{ deleted }` says whether it was there.
 *
 * @example const { deleted } = await actions.kv.delete({ key: 'session' });
 */
export default function kvDelete(table: KvTable): ActionDefinition<KvDeleteArgs, Static<typeof KvDeleteOutput>> {
  return stdAction({
    name: 'kv.delete',
    description: "Removes a key of the run's tenant.",
    input: KvDeleteInput,
    output: KvDeleteOutput,
    permission: 'kv:write',
    // A statement on Alice's own store: its outcome can be handed back at the call.
    inline: true,
    // Deleting twice leaves the same state; only `deleted` may read false on a re-executed step.
    retry: kvRetry,
    timeout: '10s',
    run: ({ key }, ctx) => ({ deleted: table.delete(ctx, key) }),
  });
}
