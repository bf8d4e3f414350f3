import type { ActionDefinition } from '../../runtime/index.js';
import { stdAction, Type, type Static } from '../schema.js';
import { Key, kvRetry, maxKeyLength, maxListLimit, type KvTable } from './table.js';

export const KvListInput = Type.Object(
  {
    prefix: Type.Optional(Type.String({ maxLength: maxKeyLength })),
    after: Type.Optional(Key),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: maxListLimit })),
  },
  { additionalProperties: false },
);
export type KvListArgs = Static<typeof KvListInput>;
const KvListOutput = Type.Object({
  items: Type.Array(Type.Object({ key: Type.String(), value: Type.Unknown() })),
  next: Type.Union([Type.String(), Type.Null()], { description: 'Pass as `after` for the next page; null on the last page.' }),
});

/**
 * `kv.list({ prefix?, after?, limit? })`: the run's tenant's entries whose key starts with
 * `prefix`, in key order, at most `limit` (default 100). `next` is the `after` of the next page,
 * or null on the last one.
 *
 * @example const { items, next } = await actions.kv.list({ prefix: 'order:', limit: 50 });
 */
export default function kvList(table: KvTable): ActionDefinition<KvListArgs, Static<typeof KvListOutput>> {
  return stdAction({
    name: 'kv.list',
    description: `Lists entries of the run's tenant by key prefix, in key order (at most ${maxListLimit} a page).`,
    input: KvListInput,
    output: KvListOutput,
    permission: 'kv:read',
    // A statement on Alice's own store: its outcome can be handed back at the call.
    inline: true,
    // A read has no effect; the journal keeps the page the workflow saw, so replay is stable
    // even when the table changes later.
    retry: kvRetry,
    timeout: '10s',
    run: ({ prefix, after, limit }, ctx) => table.list(ctx, prefix ?? '', after ?? null, limit ?? 100),
  });
}
