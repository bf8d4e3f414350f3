import { Type } from '../schema.js';
import { maxFilterFields, maxIdLength, maxMetadataFields, maxMetadataStringLength, metadataKeyPattern, type Metadata as MetadataType } from './table.js';

/** A document id: unique per tenant, chosen by the caller (a path, a URL, `handbook#3`). */
export const DocumentId = Type.String({ minLength: 1, maxLength: maxIdLength, description: 'Unique per tenant; adding an id again replaces that document.' });

/** One metadata value: a flat scalar, so that a search filter can compare it for equality. */
export const MetadataValue = Type.Union([Type.String({ maxLength: maxMetadataStringLength }), Type.Number(), Type.Boolean()]);

/**
 * Metadata of a document, or a search filter over it: field name → scalar. Written as
 * `additionalProperties` rather than TypeBox's `Record` (which emits `patternProperties`): both
 * front ends read `additionalProperties` as an open record of that type, while the DSL reads a
 * `patternProperties`-only object as one with no fields. Field names are checked against
 * {@link metadataKeyPattern} by KbTable instead (the same `ALICE_VALIDATION`).
 */
function scalarRecord(maxFields: number, description: string) {
  return Type.Unsafe<MetadataType>({ type: 'object', additionalProperties: MetadataValue, maxProperties: maxFields, description });
}

export const Metadata = (description: string) => scalarRecord(maxMetadataFields, `${description} Field names match ${metadataKeyPattern}.`);
export const Filter = (description: string) => scalarRecord(maxFilterFields, description);
