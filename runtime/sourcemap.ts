/**
 * Reads source maps (v3) so runtime errors and `log()` lines point at the line the author
 * wrote (DESIGN §10), not at the compiled script. Only decoding: the compilers write the maps.
 */

/** A position in the original source, 1-based like editors and stack traces. */
export interface SourcePosition {
  source: string;
  line: number;
  column: number;
}

const base64 = new Map([...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'].map((c, i) => [c, i]));

/** One decoded mapping: generated column → source index, source line, source column (0-based). */
type Segment = [number, number, number, number];

export class SourceMap {
  private constructor(
    private readonly sources: readonly string[],
    /** Per generated line (0-based), its segments sorted by generated column. */
    private readonly lines: readonly Segment[][],
  ) {}

  /**
   * Parses a source map; `null` when the text is not one (a bundle's map is optional data).
   * Only the first `maxLines` generated lines are decoded (the script's own count: a map may
   * claim millions of empty ones), and source names are cut to 512 characters. A map whose
   * `mappings` are longer than `maxMappingChars` is not one of this script (a compiler writes a
   * few characters per mapped token) and is ignored rather than decoded.
   */
  static parse(text: string | null | undefined, maxLines = 0xffffffff, maxMappingChars = Number.MAX_SAFE_INTEGER): SourceMap | null {
    if (typeof text !== 'string' || text === '') return null;
    let raw: { version?: unknown; sources?: unknown; mappings?: unknown; sourceRoot?: unknown };
    try {
      raw = JSON.parse(text) as typeof raw;
    } catch {
      return null;
    }
    if (raw.version !== 3 || !Array.isArray(raw.sources) || typeof raw.mappings !== 'string' || raw.mappings.length > maxMappingChars) return null;
    const root = typeof raw.sourceRoot === 'string' && raw.sourceRoot !== '' ? raw.sourceRoot.replace(/\/?$/, '/') : '';
    const sources = raw.sources.map((s) => `${root}${String(s)}`.slice(0, 512));
    const lines = decode(raw.mappings, maxLines);
    return lines === null ? null : new SourceMap(sources, lines);
  }

  /** The original position of a generated one (1-based line and column), or null if unmapped. */
  original(line: number, column: number): SourcePosition | null {
    const segments = this.lines[line - 1];
    if (segments === undefined || segments.length === 0) return null;
    let best = segments[0];
    for (const s of segments) {
      if (s[0] <= column - 1) best = s;
      else break;
    }
    const source = this.sources[best[1]];
    if (source === undefined) return null;
    return { source, line: best[2] + 1, column: best[3] + 1 };
  }
}

/** Decodes the VLQ `mappings` string; null when it is malformed. */
function decode(mappings: string, maxLines: number): Segment[][] | null {
  const lines: Segment[][] = [];
  let source = 0;
  let sourceLine = 0;
  let sourceColumn = 0;
  for (const lineText of mappings.split(';', maxLines)) {
    const segments: Segment[] = [];
    let column = 0;
    for (const segmentText of lineText.split(',')) {
      if (segmentText === '') continue;
      const fields = vlq(segmentText);
      if (fields === null) return null;
      column += fields[0];
      if (fields.length >= 4) {
        source += fields[1];
        sourceLine += fields[2];
        sourceColumn += fields[3];
        segments.push([column, source, sourceLine, sourceColumn]);
      }
    }
    segments.sort((a, b) => a[0] - b[0]);
    lines.push(segments);
  }
  return lines;
}

function vlq(text: string): number[] | null {
  const out: number[] = [];
  let value = 0;
  let shift = 0;
  for (const c of text) {
    const digit = base64.get(c);
    if (digit === undefined) return null;
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
      if (shift > 30) return null;
    } else {
      out.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return shift === 0 ? out : null;
}

/**
 * Rewrites the frames of a stack that point into the workflow script (`scriptName:line:col`)
 * to the original source, and returns the first such position (where the error was thrown).
 * Without a map (a hand-written bundle) the frames are the script's own: `workflow.js:line:col`.
 */
export function mapStack(stack: string, scriptName: string, map: SourceMap | null): { stack: string; location: SourcePosition | null } {
  let location: SourcePosition | null = null;
  const escaped = scriptName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const mapped = stack.replace(new RegExp(`${escaped}:(\\d+):(\\d+)`, 'g'), (whole, line: string, column: string) => {
    const pos = map === null ? { source: 'workflow.js', line: Number(line), column: Number(column) } : map.original(Number(line), Number(column));
    if (pos === null) return whole;
    location ??= pos;
    return `${pos.source}:${pos.line}:${pos.column}`;
  });
  return { stack: mapped, location };
}
