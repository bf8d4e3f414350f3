import { defineAction, type ActionDefinition, type JsonSchema } from '../../runtime/index.js';
import { keySchema, kvRetry, maxKeyLength, maxListLimit, type KvEntry, type KvTable } from './table.js';

export interface KvListArgs {
  prefix?: string;
  after?: string;
  limit?: number;
}

export const KvListInput: JsonSchema = {
  type: 'object',
  properties: {
    prefix: { type: 'string', maxLength: maxKeyLength },
    after: keySchema,
    limit: { type: 'integer', minimum: 1, maximum: maxListLimit },
  },
  additionalProperties: false,
};

/**
 * `kv.list({ prefix?, after?, limit? })`: the run's tenant's entries whose key starts with
 * `prefix`, in key order, at most `limit` (default 100). `next` is the `after` of the next page,
 * or null on the last one.
 *
 * @example const { items, next } = await actions.kv.list({ prefix: 'order:', limit: 50 });
 */
export default function kvList(table: KvTable): ActionDefinition<KvListArgs, { items: KvEntry[]; next: string | null }> {
  return defineAction<KvListArgs, { items: KvEntry[]; next: string | null }>({
    name: 'kv.list',
    description: `Lists entries of the run's tenant by key prefix, in key order (at most ${maxListLimit} a page).`,
    input: KvListInput,
    output: {
      type: 'object',
      properties: {
        items: { type: 'array', items: { type: 'object', properties: { key: { type: 'string' }, value: {} }, required: ['key', 'value'] } },
        next: { type: ['string', 'null'], description: 'Pass as `after` for the next page; null on the last page.' },
      },
      required: ['items', 'next'],
    },
    permission: 'kv:read',
    // A read has no effect; the journal keeps the page the workflow saw, so replay is stable
    // even when the table changes later.
    retry: kvRetry,
    secret: [],
    timeout: '10s',
    run: ({ prefix, after, limit }, ctx) => table.list(ctx.tenant, prefix ?? '', after ?? null, limit ?? 100),
  });
}
