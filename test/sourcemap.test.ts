import { describe, expect, it } from 'vitest';
import { catalogOf } from '../compiler/catalog.js';
import { compileSource } from '../compiler/compile.js';
import { SourceMap, mapStack } from '../runtime/sourcemap.js';

const source = [
  'import { log } from "alice";', // 1
  '', // 2
  'function check(n: number): number {', // 3
  '  if (n > 2) throw new Error("too big");', // 4
  '  return n;', // 5
  '}', // 6
  '', // 7
  'export default async function (input: { n: number }) {', // 8
  '  log("checking", input.n);', // 9
  '  return check(input.n);', // 10
  '}', // 11
].join('\n');

function compiled() {
  const { bundle, diagnostics } = compileSource({ ok: true, path: 'flows/check.ts', text: source }, { catalog: catalogOf([]) });
  expect(diagnostics).toEqual([]);
  return bundle!;
}

describe('source maps', () => {
  it('maps a generated position back to the .ts line the compiler emitted it from', () => {
    const bundle = compiled();
    const map = SourceMap.parse(bundle.sourceMap)!;
    expect(map).not.toBeNull();
    const lines = bundle.script.split('\n');
    const throwLine = lines.findIndex((l) => l.includes('throw new Error("too big")')) + 1;
    const throwColumn = lines[throwLine - 1].indexOf('throw') + 1;
    expect(map.original(throwLine, throwColumn)).toEqual({ source: 'check.ts', line: 4, column: 14 });
    const logLine = lines.findIndex((l) => l.includes('log("checking"')) + 1;
    expect(map.original(logLine, lines[logLine - 1].indexOf('log') + 1)).toMatchObject({ source: 'check.ts', line: 9 });
  });

  it('rewrites the workflow frames of a stack and names where the error was thrown', () => {
    const bundle = compiled();
    const map = SourceMap.parse(bundle.sourceMap)!;
    const lines = bundle.script.split('\n');
    const throwLine = lines.findIndex((l) => l.includes('throw new Error')) + 1;
    const callLine = lines.findIndex((l) => l.includes('return check(')) + 1;
    const stack = `Error: too big\n    at check (workflow:check@1.js:${throwLine}:${lines[throwLine - 1].indexOf('throw') + 7})\n    at main$ (workflow:check@1.js:${callLine}:${lines[callLine - 1].indexOf('check') + 1})\n    at run (alice:guest.js:449:24)`;
    const { stack: mapped, location } = mapStack(stack, 'workflow:check@1.js', map);
    expect(location).toMatchObject({ source: 'check.ts', line: 4 });
    expect(mapped).toMatch(/at check \(check\.ts:4:\d+\)/);
    expect(mapped).toMatch(/at main\$ \(check\.ts:10:\d+\)/);
    expect(mapped).toContain('alice:guest.js:449:24');
  });

  it('refuses text that is not a v3 source map instead of guessing', () => {
    for (const text of ['', 'not json', '{"version":2,"sources":[],"mappings":""}', '{"version":3,"sources":["a"],"mappings":"!!"}']) {
      expect(SourceMap.parse(text)).toBeNull();
    }
  });

  it('decodes only the script\'s lines and ignores mappings far longer than the script could have', () => {
    const lines = JSON.stringify({ version: 3, sources: ['a.ts'], mappings: `AAAA;${';'.repeat(100_000)}` });
    expect(SourceMap.parse(lines, 1)?.original(1, 1)).toEqual({ source: 'a.ts', line: 1, column: 1 });
    const segments = JSON.stringify({ version: 3, sources: ['a.ts'], mappings: 'AAAA,'.repeat(100_000) });
    expect(SourceMap.parse(segments, 1, 16 * 40 + 4096)).toBeNull();
  });

  it('names the script\'s own position when a bundle has no map', () => {
    const { stack, location } = mapStack('Error: x\n    at run (workflow:w@1.js:2:9)', 'workflow:w@1.js', null);
    expect(location).toEqual({ source: 'workflow.js', line: 2, column: 9 });
    expect(stack).toContain('workflow.js:2:9');
  });
});
