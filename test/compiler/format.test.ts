import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../compiler/diagnostic.js';
import { formatDiagnostics, type OutputFormat } from '../../compiler/format.js';
import { root } from '../support/build.js';
import { sarifValidator } from '../support/sarif.js';

const rules = [
  { id: 'alice/no-wall-clock', description: 'Date.now() differs on replay; use now().', helpUri: 'https://example.com/rules/no-wall-clock' },
  { id: 'alice/no-random', description: 'Math.random() differs on replay; use random().' },
];

function diag(over: Partial<Diagnostic>): Diagnostic {
  return {
    rule: 'alice/no-wall-clock',
    severity: 'error',
    file: 'flows/order.ts',
    line: 3,
    column: 13,
    endLine: 3,
    endColumn: 23,
    message: 'Date.now() reads the wall clock, which differs when the run is replayed.',
    hint: 'use now()',
    ...over,
  };
}

// Given out of order, so every format is seen to sort.
const sample: Diagnostic[] = [
  diag({ file: 'flows/refund.ts', line: 9, column: 5, endLine: 9, endColumn: 18, rule: 'alice/no-random', message: 'Math.random() differs on replay.', hint: undefined, severity: 'warning' }),
  diag({ rule: 'ts2304', line: 7, column: 1, endLine: 7, endColumn: 4, message: "Cannot find name 'foo'.", hint: undefined }),
  diag({}),
];

function format(format: OutputFormat, diagnostics: readonly Diagnostic[] = sample, files = 5): string {
  return formatDiagnostics(diagnostics, { format, files, rules, toolVersion: '0.1.0' });
}

describe('text format', () => {
  it('groups by file with a heading, one located line per diagnostic, hints indented, and a summary', () => {
    expect(format('text')).toBe(
      [
        'flows/order.ts',
        '  flows/order.ts:3:13  alice/no-wall-clock  Date.now() reads the wall clock, which differs when the run is replayed.',
        '    hint: use now()',
        "  flows/order.ts:7:1  ts2304  Cannot find name 'foo'.",
        '',
        'flows/refund.ts',
        '  flows/refund.ts:9:5  alice/no-random  warning: Math.random() differs on replay.',
        '',
        '✖ 2 errors, 1 warning in 2 of 5 files',
        '',
      ].join('\n'),
    );
  });

  it('says so when there are no problems', () => {
    expect(format('text', [], 5)).toBe('✔ 5 files checked, no problems\n');
    expect(format('text', [], 1)).toBe('✔ 1 file checked, no problems\n');
  });

  it('marks a run with only warnings differently from one with errors', () => {
    expect(format('text', [sample[0]], 1).split('\n').at(-2)).toBe('⚠ 0 errors, 1 warning in 1 of 1 file');
  });

  it('keeps the lines of a multi-line message under the first', () => {
    const out = format('text', [diag({ message: 'first\nsecond', hint: undefined })], 1);
    expect(out).toContain('  flows/order.ts:3:13  alice/no-wall-clock  first\n    second\n');
  });
});

describe('json format', () => {
  it('is exactly {"diagnostics":[…],"files":N} with keys in the documented order and hint null when absent', () => {
    const out = format('json');
    expect(out.endsWith('}\n')).toBe(true);
    expect(out.split('\n')).toHaveLength(2);
    const parsed = JSON.parse(out) as { diagnostics: Record<string, unknown>[]; files: number };
    expect(Object.keys(parsed)).toEqual(['diagnostics', 'files']);
    expect(parsed.files).toBe(5);
    for (const d of parsed.diagnostics) {
      expect(Object.keys(d)).toEqual(['file', 'line', 'column', 'endLine', 'endColumn', 'rule', 'severity', 'message', 'hint']);
    }
    expect(parsed.diagnostics).toEqual([
      { file: 'flows/order.ts', line: 3, column: 13, endLine: 3, endColumn: 23, rule: 'alice/no-wall-clock', severity: 'error', message: sample[2].message, hint: 'use now()' },
      { file: 'flows/order.ts', line: 7, column: 1, endLine: 7, endColumn: 4, rule: 'ts2304', severity: 'error', message: "Cannot find name 'foo'.", hint: null },
      { file: 'flows/refund.ts', line: 9, column: 5, endLine: 9, endColumn: 18, rule: 'alice/no-random', severity: 'warning', message: 'Math.random() differs on replay.', hint: null },
    ]);
  });

  it('drops fields that are not part of the format', () => {
    const extra = { ...diag({}), internal: 'x' } as Diagnostic;
    expect(format('json', [extra], 1)).not.toContain('internal');
  });

  it('reports an empty list when there are no problems', () => {
    expect(format('json', [], 2)).toBe('{"diagnostics":[],"files":2}\n');
  });
});

describe('sarif format', () => {
  const validate = sarifValidator();

  it('is valid against the official SARIF 2.1.0 schema', () => {
    const log = JSON.parse(format('sarif')) as unknown;
    const ok = validate(log);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('the schema check rejects a result with a level SARIF does not define', () => {
    const log = JSON.parse(format('sarif')) as { runs: { results: { level: string }[] }[] };
    log.runs[0].results[0].level = 'fatal';
    expect(validate(log)).toBe(false);
    expect(validate.errors?.some((e) => e.instancePath === '/runs/0/results/0/level')).toBe(true);
  });

  it('the schema check rejects a region starting at column 0', () => {
    const log = JSON.parse(format('sarif')) as { runs: { results: { locations: { physicalLocation: { region: { startColumn: number } } }[] }[] }[] };
    log.runs[0].results[0].locations[0].physicalLocation.region.startColumn = 0;
    expect(validate(log)).toBe(false);
  });

  it('describes the tool, its rules, and generates entries for rules it was not given', () => {
    const log = JSON.parse(format('sarif')) as {
      $schema: string;
      version: string;
      runs: { tool: { driver: { name: string; version: string; rules: { id: string; shortDescription: { text: string }; helpUri?: string }[] } }; results: { ruleId: string; ruleIndex: number }[] }[];
    };
    expect(log.$schema).toBe('https://json.schemastore.org/sarif-2.1.0.json');
    expect(log.version).toBe('2.1.0');
    expect(log.runs).toHaveLength(1);
    const { driver } = log.runs[0].tool;
    expect(driver.name).toBe('alice');
    expect(driver.version).toBe('0.1.0');
    expect(driver.rules.map((r) => r.id)).toEqual(['alice/no-wall-clock', 'alice/no-random', 'ts2304']);
    expect(driver.rules[0].helpUri).toBe('https://example.com/rules/no-wall-clock');
    expect(driver.rules[2].shortDescription.text).toBe('TypeScript error TS2304');
    for (const r of log.runs[0].results) expect(driver.rules[r.ruleIndex].id).toBe(r.ruleId);
  });

  it('writes one result per diagnostic with level, message plus hint, and the region', () => {
    const log = JSON.parse(format('sarif')) as { runs: { results: unknown[] }[] };
    expect(log.runs[0].results[0]).toEqual({
      ruleId: 'alice/no-wall-clock',
      ruleIndex: 0,
      level: 'error',
      message: { text: `${sample[2].message} (hint: use now())` },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: 'flows/order.ts', uriBaseId: '%SRCROOT%' },
            region: { startLine: 3, startColumn: 13, endLine: 3, endColumn: 23 },
          },
        },
      ],
    });
    expect(log.runs[0].results[2]).toMatchObject({ ruleId: 'alice/no-random', level: 'warning', message: { text: 'Math.random() differs on replay.' } });
  });

  it('writes URIs with forward slashes, relative under %SRCROOT%, absolute as file: URIs, and stays valid', () => {
    const files = ['flows\\win dows\\a.ts', '/home/ci/repo/b c.ts', 'C:\\work\\c.ts', './d.ts'];
    const log = JSON.parse(format('sarif', files.map((file) => diag({ file })))) as {
      runs: { results: { locations: { physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string } } }[] }[] }[];
    };
    const locations = log.runs[0].results.map((r) => r.locations[0].physicalLocation.artifactLocation);
    expect(locations).toEqual([
      { uri: './d.ts', uriBaseId: '%SRCROOT%' },
      { uri: 'file:///home/ci/repo/b%20c.ts' },
      { uri: 'file:///C:/work/c.ts' },
      { uri: 'flows/win%20dows/a.ts', uriBaseId: '%SRCROOT%' },
    ]);
    expect(validate(log)).toBe(true);
  });

  it('is a valid log with an empty result list when there are no problems', () => {
    const log = JSON.parse(format('sarif', [])) as { runs: { results: unknown[] }[] };
    expect(log.runs[0].results).toEqual([]);
    expect(validate(log)).toBe(true);
  });
});

describe('github format', () => {
  it('writes one workflow command per diagnostic, then the summary as a plain line', () => {
    expect(format('github')).toBe(
      [
        `::error file=flows/order.ts,line=3,col=13,endLine=3,endColumn=23,title=alice/no-wall-clock::${sample[2].message}%0Ahint: use now()`,
        "::error file=flows/order.ts,line=7,col=1,endLine=7,endColumn=4,title=ts2304::Cannot find name 'foo'.",
        '::warning file=flows/refund.ts,line=9,col=5,endLine=9,endColumn=18,title=alice/no-random::Math.random() differs on replay.',
        '✖ 2 errors, 1 warning in 2 of 5 files',
        '',
      ].join('\n'),
    );
  });

  it('escapes % CR LF in the message, and also : and , in property values', () => {
    const out = format('github', [diag({ file: 'a,b:c%.ts', rule: 'x:y,z', message: '100% sure\r\nnext: a, b', hint: undefined })], 1);
    const [command] = out.split('\n');
    expect(command).toBe('::error file=a%2Cb%3Ac%25.ts,line=3,col=13,endLine=3,endColumn=23,title=x%3Ay%2Cz::100%25 sure%0D%0Anext: a, b');
  });

  it('writes only the summary when there are no problems', () => {
    expect(format('github', [], 3)).toBe('✔ 3 files checked, no problems\n');
  });
});

describe('every format', () => {
  it.each(['text', 'json', 'sarif', 'github'] as const)('%s ends with a newline and does not depend on input order', (f) => {
    const out = format(f);
    expect(out.endsWith('\n')).toBe(true);
    expect(format(f, [...sample].reverse())).toBe(out);
  });
});
