import type { WorkflowRow } from '../journal/store.js';
import { mapStack, SourceMap } from '../sourcemap.js';

// Parsed maps by workflow version. A version's map never changes; the bound keeps a long-lived
// engine with many versions from holding every map.
const maps = new Map<string, SourceMap | null>();
const maxMaps = 256;

function mapOf(workflow: WorkflowRow): SourceMap | null {
  let map = maps.get(workflow.id);
  if (map === undefined) {
    // At most a segment per character of the script, of at most 16 characters each.
    map = SourceMap.parse(workflow.source_map, lineCount(workflow.script), 16 * workflow.script.length + 4096);
    if (maps.size >= maxMaps) maps.clear();
    maps.set(workflow.id, map);
  }
  return map;
}

function lineCount(text: string): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** The name the workflow script runs under in the sandbox; stack frames in it carry this name. */
export function scriptName(workflow: WorkflowRow): string {
  return `workflow:${workflow.id}.js`;
}

/**
 * Where a `log()` line was written: `file.ts:line:column` through the bundle's source map, or
 * the script's own position when it has none. `site` is the guest's `line:column` (or nothing,
 * when the workflow hid its stack).
 */
export function logSource(workflow: WorkflowRow, site: unknown): { source?: string } {
  if (typeof site !== 'string') return {};
  const m = /^(\d{1,9}):(\d{1,9})$/.exec(site);
  if (m === null) return {};
  const line = Number(m[1]);
  const column = Number(m[2]);
  const pos = mapOf(workflow)?.original(line, column);
  return { source: pos ? `${pos.source}:${pos.line}:${pos.column}` : `workflow.js:${line}:${column}` };
}

/**
 * Bounds of what a mapped stack may add: a hostile map can name its sources with megabytes of
 * text, and every frame repeats the name.
 */
const maxStackChars = 16 * 1024;
const maxSourceChars = 512;

/** A thrown error's stack with the workflow's frames mapped to the source, and where it was thrown. */
export function errorSource(workflow: WorkflowRow, stack: string): { stack: string; source?: string } {
  const map = mapOf(workflow);
  const script = scriptName(workflow);
  const { stack: rewritten, location } = mapStack(stack, script, map);
  // The author's frames only: the guest runtime's, and (with a map) the lines the compiler
  // wrote around the module (the call of the workflow function), say nothing about their code.
  const mapped = rewritten.split('\n').filter((line) => !/^\s+at /.test(line) || !(line.includes('(alice:guest.js:') || /^\s+at alice:guest\.js:/.test(line) || (map !== null && line.includes(`${script}:`)))).join('\n');
  const bounded = mapped.length > maxStackChars ? `${mapped.slice(0, maxStackChars)}…` : mapped;
  if (location === null) return { stack: bounded };
  const name = location.source.length > maxSourceChars ? `${location.source.slice(0, maxSourceChars)}…` : location.source;
  return { stack: bounded, source: `${name}:${location.line}:${location.column}` };
}
