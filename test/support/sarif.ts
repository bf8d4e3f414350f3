import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { expect } from 'vitest';
import { root } from './build.js';

/**
 * The official SARIF 2.1.0 schema (OASIS errata01, vendored from oasis-tcs/sarif-spec) is
 * written in draft-04, whose `$schema` and `id` Ajv 8 refuses. Every keyword it uses ($ref,
 * properties, additionalProperties, anyOf, oneOf, enum, items, minItems, uniqueItems, minimum,
 * maximum, pattern, format, required, type) means the same in draft-07, so those two
 * top-level annotations are dropped and the rest is compiled as it is.
 */
export function sarifValidator(): ValidateFunction {
  const text = readFileSync(join(root, 'test/fixtures/sarif-schema-2.1.0.json'), 'utf8');
  const { $schema: _dialect, id: _id, ...schema } = JSON.parse(text) as Record<string, unknown>;
  expect(_id).toBe('https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json');
  const ajv = new Ajv({ strict: false, allErrors: true });
  // The formats the schema uses, checked for real (no ajv-formats here).
  ajv.addFormat('uri', (s: string) => URL.canParse(s) && !/\s/.test(s));
  ajv.addFormat('uri-reference', (s: string) => URL.canParse(s, 'file:///base/') && !/[\s\\]/.test(s));
  ajv.addFormat('date-time', (s: string) => !Number.isNaN(Date.parse(s)));
  return ajv.compile(schema);
}

