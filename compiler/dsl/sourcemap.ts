/**
 * Writes source maps (v3) for the DSL's lowering: the reading side is runtime/sourcemap.ts.
 * The lowering writes the script through a `ScriptWriter`, marking where each statement and
 * expression of the .alice file starts; the marks become the `mappings`.
 */

const base64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** One signed number as base64 VLQ (the sign in the lowest bit, 5 bits per digit). */
export function vlq(value: number): string {
  let v = value < 0 ? (-value << 1) | 1 : value << 1;
  let out = '';
  do {
    let digit = v & 31;
    v >>>= 5;
    if (v > 0) digit |= 32;
    out += base64[digit];
  } while (v > 0);
  return out;
}

/** A position in the .alice source, 1-based. */
export interface SourcePoint {
  line: number;
  column: number;
}

/** Builds the script text line by line and records a mapping at each mark. */
export class ScriptWriter {
  private readonly lines: string[] = [];
  private current = '';
  /** Per generated line: [generated column, source line, source column], all 0-based. */
  private readonly segments: Array<Array<[number, number, number]>> = [[]];

  write(text: string): this {
    this.current += text;
    return this;
  }

  /** Maps what is written next to `at` (a statement or expression of the source). */
  mark(at: SourcePoint): this {
    const line = this.segments[this.segments.length - 1];
    const col = this.current.length;
    const last = line[line.length - 1];
    if (last !== undefined && last[0] === col) line[line.length - 1] = [col, at.line - 1, at.column - 1];
    else line.push([col, at.line - 1, at.column - 1]);
    return this;
  }

  newline(): this {
    this.lines.push(this.current);
    this.current = '';
    this.segments.push([]);
    return this;
  }

  text(): string {
    return [...this.lines, this.current].join('\n');
  }

  /** The source map of everything written, naming the one source by its base name. */
  sourceMap(source: string, sourceText: string): string {
    let prevLine = 0;
    let prevCol = 0;
    const mappings = this.segments
      .map((segs) => {
        let prevGen = 0;
        return segs
          .map(([gen, line, col]) => {
            const s = vlq(gen - prevGen) + vlq(0) + vlq(line - prevLine) + vlq(col - prevCol);
            prevGen = gen;
            prevLine = line;
            prevCol = col;
            return s;
          })
          .join(',');
      })
      .join(';');
    return JSON.stringify({ version: 3, file: 'workflow.js', sources: [source], sourcesContent: [sourceText], names: [], mappings });
  }
}
