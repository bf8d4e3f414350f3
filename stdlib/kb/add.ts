import type { ActionDefinition } from '../../runtime/index.js';
import type { TenantGuard } from '../tenants.js';
import { stdAction, Type, type Static } from '../schema.js';
import { DocumentId, Metadata } from './schemas.js';
import { kbRetry, maxSourceLength, maxTextBytes, maxTitleLength, type KbTable } from './table.js';

export const KbAddInput = Type.Object(
  {
    id: DocumentId,
    // Its size in bytes (at most maxTextBytes of UTF-8) is checked in run(), with a clear message.
    text: Type.String({ minLength: 1, description: `The document's text, at most ${maxTextBytes} bytes of UTF-8.` }),
    title: Type.Optional(Type.String({ maxLength: maxTitleLength, description: 'Searched too, and weighted above the text.' })),
    metadata: Type.Optional(Metadata('Flat fields (string, number, boolean) returned with each hit and usable in search filters.')),
    source: Type.Optional(Type.String({ maxLength: maxSourceLength, description: 'Where the text comes from (a URL, a file), for citations.' })),
  },
  { additionalProperties: false },
);
export type KbAddArgs = Static<typeof KbAddInput>;
const KbAddOutput = Type.Object({
  id: Type.String(),
  status: Type.Union([Type.Literal('added'), Type.Literal('updated'), Type.Literal('unchanged')]),
});

/**
 * `kb.add({ id, text, title?, metadata?, source? })`: stores a document in the run's tenant's
 * knowledge base and indexes it. The same id with the same content changes nothing
 * (`unchanged`); with other content it replaces the document (`updated`).
 *
 * @example const { status } = await actions.kb.add({ id: 'handbook#1', title: 'Refunds', text: '…', source: 'handbook.md' });
 */
export default function kbAdd(table: KbTable, tenants: TenantGuard, now: () => number): ActionDefinition<KbAddArgs, Static<typeof KbAddOutput>> {
  return stdAction({
    name: 'kb.add',
    description: `Adds or replaces a document (text at most ${maxTextBytes} bytes) in the run's tenant's knowledge base; idempotent per id and content.`,
    input: KbAddInput,
    output: KbAddOutput,
    permission: 'kb:write',
    // Natural idempotency: the document id is the key. A step re-executed after a crash (between
    // the write and the journal) finds the same content and answers `unchanged`, writing nothing.
    retry: kbRetry,
    timeout: '30s',
    run: (doc, ctx) => {
      tenants.require(ctx);
      return { id: doc.id, status: table.add(ctx.tenant, doc, now()) };
    },
    // No finalize: documents are the tenant's durable data, not memos of one run.
  });
}
