import { describe, expect, it } from 'vitest';
import type { CatalogEntry } from '../../compiler/catalog.js';
import { checkSources } from '../../compiler/check.js';
import type { Diagnostic } from '../../compiler/diagnostic.js';
import { ruleName, type Rule } from '../../compiler/rules/rule.js';

/** The catalog rule tests check against: a few namespaces like the standard library's. */
export const testCatalog: CatalogEntry[] = [
  { name: 'kv.get', description: 'Reads a key.', input: obj({ key: { type: 'string' } }, ['key']), output: null, permission: 'kv:read' },
  { name: 'kv.set', description: 'Writes a key.', input: obj({ key: { type: 'string' }, value: {} }, ['key', 'value']), output: null, permission: 'kv:write' },
  { name: 'kv.delete', description: 'Deletes a key.', input: obj({ key: { type: 'string' } }, ['key']), output: null, permission: 'kv:write' },
  { name: 'kv.list', description: 'Lists keys.', input: obj({ prefix: { type: 'string' } }, []), output: { type: 'array', items: { type: 'string' } }, permission: 'kv:read' },
  { name: 'email.send', description: 'Sends an email.', input: obj({ to: { type: 'string' }, subject: { type: 'string' }, body: { type: 'string' } }, ['to', 'subject', 'body']), output: obj({ messageId: { type: 'string' } }, ['messageId']), permission: 'email:send' },
  { name: 'http.fetch', description: 'Fetches a URL.', input: obj({ url: { type: 'string' }, method: { type: 'string' } }, ['url']), output: obj({ status: { type: 'number' }, body: { type: 'string' } }, ['status', 'body']), permission: 'http:fetch' },
];

function obj(properties: Record<string, unknown>, required: string[]) {
  return { type: 'object', properties, required };
}

/** The header a snippet is wrapped in when it is not a whole module (two lines). */
const header = 'import { kv, email, http, sleep, waitForEvent, now, random, log, ActionError } from "alice";\nexport default async function (input: { [key: string]: any }) {\n';
const headerLines = 2;

export interface ValidCase {
  code: string;
  name?: string;
}

export interface InvalidCase {
  code: string;
  name?: string;
  /** 1-based, in the snippet as written (the wrapper's lines are not counted). */
  line: number;
  column: number;
  /** How many diagnostics of this rule the case gives (default 1). */
  count?: number;
  /** A part of the message, or a pattern it must match. */
  message?: string | RegExp;
  /** A part of the fix hint, or a pattern it must match. */
  hint?: string | RegExp;
}

interface Prepared {
  path: string;
  text: string;
  offset: number;
}

function prepare(code: string, index: number, kind: string): Prepared {
  const whole = /^\s*export\s+default\b/m.test(code) || /^\s*import\b/m.test(code);
  return {
    path: `/virtual/${kind}-${index}.ts`,
    text: whole ? code : `${header}${code}\n}\n`,
    offset: whole ? 0 : headerLines,
  };
}

/**
 * Table-driven rule tests in the style of ESLint's RuleTester: every `valid` case must give no
 * diagnostic of the rule (and type-check cleanly, so the case is real code), every `invalid`
 * case must give the rule's diagnostic at the line and column given. Snippets without an
 * import or default export are wrapped in a workflow function whose input is `any`-typed
 * fields; all cases of a table share one TypeScript program, as `alice check` does.
 */
export function ruleCases(rule: Rule, cases: { valid: Array<string | ValidCase>; invalid: InvalidCase[] }): void {
  const id = ruleName(rule);
  const valid = cases.valid.map((c) => (typeof c === 'string' ? { code: c } : c));
  const prepared = [...valid.map((c, i) => prepare(c.code, i, 'valid')), ...cases.invalid.map((c, i) => prepare(c.code, i, 'invalid'))];
  let byFile: Map<string, Diagnostic[]> | undefined;
  const diagnosticsOf = (path: string): Diagnostic[] => {
    if (byFile === undefined) {
      const { diagnostics } = checkSources(prepared.map((p) => ({ ok: true as const, path: p.path, text: p.text })), { catalog: testCatalog });
      byFile = new Map();
      for (const d of diagnostics) byFile.set(d.file, [...(byFile.get(d.file) ?? []), d]);
    }
    return byFile.get(path) ?? [];
  };
  const show = (ds: Diagnostic[], offset: number) => ds.map((d) => `${d.line - offset}:${d.column} ${d.rule} ${d.message}`);

  describe(id, () => {
    valid.forEach((c, i) => {
      const p = prepared[i];
      it(`valid: ${c.name ?? c.code.trim().split('\n')[0].slice(0, 80)}`, () => {
        const ds = diagnosticsOf(p.path);
        expect(show(ds.filter((d) => d.rule === id), p.offset), 'the rule reports valid code').toEqual([]);
        expect(show(ds.filter((d) => d.rule.startsWith('ts')), p.offset), 'a valid case must type-check').toEqual([]);
      });
    });
    cases.invalid.forEach((c, i) => {
      const p = prepared[valid.length + i];
      it(`invalid: ${c.name ?? c.code.trim().split('\n')[0].slice(0, 80)}`, () => {
        const mine = diagnosticsOf(p.path).filter((d) => d.rule === id);
        expect(mine.length, `expected ${c.count ?? 1} ${id} diagnostic(s), got: ${JSON.stringify(show(diagnosticsOf(p.path), p.offset))}`).toBe(c.count ?? 1);
        const first = mine[0];
        expect(`${first.line - p.offset}:${first.column}`).toBe(`${c.line}:${c.column}`);
        if (typeof c.message === 'string') expect(first.message).toContain(c.message);
        else if (c.message instanceof RegExp) expect(first.message).toMatch(c.message);
        if (typeof c.hint === 'string') expect(first.hint ?? '').toContain(c.hint);
        else if (c.hint instanceof RegExp) expect(first.hint ?? '').toMatch(c.hint);
        expect(first.severity).toBe('error');
        expect(first.message.length).toBeGreaterThan(40);
      });
    });
  });
}
