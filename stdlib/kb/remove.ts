import type { ActionDefinition } from '../../runtime/index.js';
import type { TenantGuard } from '../tenants.js';
import { stdAction, Type, type Static } from '../schema.js';
import { DocumentId } from './schemas.js';
import { kbRetry, type KbTable } from './table.js';

export const KbRemoveInput = Type.Object({ id: DocumentId }, { additionalProperties: false });
export type KbRemoveArgs = Static<typeof KbRemoveInput>;
const KbRemoveOutput = Type.Object({ removed: Type.Boolean() });

/**
 * `kb.remove({ id })`: deletes a document of the run's tenant and its index entries;
 * `{ removed }` says whether it was there.
 *
 * @example const { removed } = await actions.kb.remove({ id: 'handbook#1' });
 */
export default function kbRemove(table: KbTable, tenants: TenantGuard): ActionDefinition<KbRemoveArgs, Static<typeof KbRemoveOutput>> {
  return stdAction({
    name: 'kb.remove',
    description: "Removes a document from the run's tenant's knowledge base.",
    input: KbRemoveInput,
    output: KbRemoveOutput,
    permission: 'kb:write',
    // Removing twice leaves the same state; only `removed` may read false on a re-executed step.
    retry: kbRetry,
    timeout: '30s',
    run: ({ id }, ctx) => {
      tenants.require(ctx);
      return { removed: table.remove(ctx.tenant, id) };
    },
    // No finalize: removal is the tenant's decision, not a memo of the run.
  });
}
