import type { ActionDefinition } from '../../runtime/index.js';
import type { TenantGuard } from '../tenants.js';
import { stdAction, Type, type Static } from '../schema.js';
import { Filter, Metadata } from './schemas.js';
import { hitTextChars, kbRetry, maxResultBytes, maxSearchLimit, snippetClose, snippetOpen, type KbTable } from './table.js';

/** Longest query, in characters: a chat question with a pasted paragraph fits. */
export const maxQueryLength = 64 * 1024;

export const KbSearchInput = Type.Object(
  {
    query: Type.String({ maxLength: maxQueryLength, description: 'Plain words (any text) or, with syntax "fts", an FTS5 query.' }),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: maxSearchLimit, description: 'Most hits; default 5.' })),
    syntax: Type.Optional(
      Type.Union([Type.Literal('words'), Type.Literal('fts')], { description: '"words" (default): any text, documents matching any of its words. "fts": SQLite FTS5 query syntax.' }),
    ),
    filter: Type.Optional(Filter('Metadata equality: only documents whose metadata has every one of these fields with this value and JSON type.')),
  },
  { additionalProperties: false },
);
export type KbSearchArgs = Static<typeof KbSearchInput>;
const KbSearchOutput = Type.Object({
  hits: Type.Array(
    Type.Object({
      id: Type.String(),
      title: Type.Union([Type.String(), Type.Null()]),
      snippet: Type.String({ description: `A passage of the text; matched terms are marked ${snippetOpen}like this${snippetClose}, cut text with ….` }),
      text: Type.String({ description: `The document's text, cut after ${hitTextChars} characters (then ending in …).` }),
      score: Type.Number({ description: 'Relevance (bm25, negated): higher is better; compare within one search only.' }),
      metadata: Metadata('The document metadata.'),
      source: Type.Union([Type.String(), Type.Null()]),
    }),
  ),
});

/**
 * `kb.search({ query, limit?, syntax?, filter? })`: the run's tenant's documents that best match
 * `query`, best first, with snippets. In `words` mode any text is accepted and never fails (a
 * text without words finds nothing); in `fts` mode a query FTS5 cannot parse fails with
 * `ALICE_KB_QUERY`.
 *
 * @example const { hits } = await actions.kb.search({ query: 'how do I get a refund?', limit: 3 });
 */
export default function kbSearch(table: KbTable, tenants: TenantGuard): ActionDefinition<KbSearchArgs, Static<typeof KbSearchOutput>> {
  return stdAction({
    name: 'kb.search',
    description: `Full-text search (ranked, with snippets) in the run's tenant's knowledge base; at most ${maxSearchLimit} hits and ${maxResultBytes / 1024} KiB.`,
    input: KbSearchInput,
    output: KbSearchOutput,
    permission: 'kb:read',
    // A read has no effect; the journal keeps the hits the workflow saw, so a replay is stable
    // even after documents change.
    retry: kbRetry,
    timeout: '30s',
    run: (args, ctx) => {
      tenants.require(ctx);
      return table.search(ctx.tenant, args);
    },
    // No finalize: a search keeps nothing.
  });
}
