/**
 * JSON Schema's `pattern`s are ECMA-262 regular expressions; untrusted ones run on RE2 (re2js,
 * linear time; see schema-budget.ts). The two read most syntax alike, but not all of it:
 *
 * - `\s` is JavaScript's whitespace (also `\v`, U+00A0, U+1680, U+2000–U+200A, U+2028, U+2029,
 *   U+202F, U+205F, U+3000, U+FEFF); RE2's is `[\t\n\f\r ]`, so `^\S+$` let "a\u00a0b" through;
 * - `.` stops at every line terminator (`\n`, `\r`, U+2028, U+2029); RE2's only at `\n`;
 * - `\uXXXX` (a surrogate pair of them is one character), `\u{X…}`, `\cX`, `[^]` and `[\b]`
 *   are JavaScript's; RE2 refuses them;
 * - `[` inside a class is a character to JavaScript, and may open `[:alpha:]` to RE2;
 * - `{02}` repeats twice to JavaScript, and is literal text to RE2;
 * - `\10` is a backreference to JavaScript (refused here: RE2 has none) and octal to RE2.
 *
 * `re2Source` writes a pattern that `new RegExp(p, 'u')` accepts in RE2's syntax with
 * JavaScript's meaning for these. What RE2 cannot do (lookarounds, backreferences) stays as it
 * is, and RE2 refuses it.
 */

/** JavaScript's `\s`, as ranges for inside a class. */
const jsSpaceRanges = '\\t\\n\\x{0B}\\f\\r \\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}\\x{FEFF}';
const lineTerminators = '\\n\\r\\x{2028}\\x{2029}';
/** JavaScript's `\S` as ranges for inside a class: everything but `jsSpaceRanges`. */
const jsNonSpaceRanges = '\\x{0}-\\x{8}\\x{E}-\\x{1F}\\x{21}-\\x{9F}\\x{A1}-\\x{167F}\\x{1681}-\\x{1FFF}\\x{200B}-\\x{2027}\\x{202A}-\\x{202E}\\x{2030}-\\x{205E}\\x{2060}-\\x{2FFF}\\x{3001}-\\x{FEFE}\\x{FF00}-\\x{10FFFF}';

/** The pattern in RE2's syntax; `pattern` must be one `new RegExp(pattern, 'u')` accepts. */
export function re2Source(pattern: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      const n = pattern[i + 1];
      if (n === 'u' && pattern[i + 2] === '{') {
        const close = pattern.indexOf('}', i + 3);
        out += `\\x{${pattern.slice(i + 3, close)}}`;
        i = close;
      } else if (n === 'u') {
        const unit = parseInt(pattern.slice(i + 2, i + 6), 16);
        const low = pattern.startsWith('\\u', i + 6) ? parseInt(pattern.slice(i + 8, i + 12), 16) : NaN;
        if (unit >= 0xd800 && unit <= 0xdbff && low >= 0xdc00 && low <= 0xdfff) {
          // A surrogate pair is one character in a 'u' pattern.
          out += `\\x{${(0x10000 + (unit - 0xd800) * 0x400 + (low - 0xdc00)).toString(16)}}`;
          i += 11;
        } else {
          out += `\\x{${pattern.slice(i + 2, i + 6)}}`;
          i += 5;
        }
      } else if (n === 'c') {
        out += `\\x{${(pattern.charCodeAt(i + 2) % 32).toString(16)}}`;
        i += 2;
      } else if (n === 's') {
        out += inClass ? jsSpaceRanges : `[${jsSpaceRanges}]`;
        i++;
      } else if (n === 'S') {
        out += inClass ? jsNonSpaceRanges : `[^${jsSpaceRanges}]`;
        i++;
      } else if (n === 'b' && inClass) {
        out += '\\x{8}';
        i++;
      } else if (n !== undefined && n >= '1' && n <= '9') {
        throw new SyntaxError('backreferences (\\1 …) are not supported: patterns run on a linear-time engine');
      } else if ((n === 'p' || n === 'P' || n === 'k') && (pattern[i + 2] === '{' || pattern[i + 2] === '<')) {
        // \p{…}, \k<name>: copied whole, so nothing inside is read as syntax.
        const close = pattern.indexOf(pattern[i + 2] === '{' ? '}' : '>', i + 3);
        out += pattern.slice(i, close + 1);
        i = close;
      } else {
        out += c + (n ?? '');
        i++;
      }
    } else if (inClass) {
      if (c === ']') inClass = false;
      // A character to JavaScript; to RE2 it may open [:alpha:].
      out += c === '[' ? '\\[' : c;
    } else if (c === '[') {
      if (pattern.startsWith('[^]', i)) {
        out += '(?s:.)';
        i += 2;
      } else if (pattern.startsWith('[]', i)) {
        // Matches nothing in JavaScript.
        out += '[^\\x{0}-\\x{10FFFF}]';
        i += 1;
      } else {
        inClass = true;
        out += c;
        if (pattern[i + 1] === '^') {
          out += '^';
          i++;
        }
      }
    } else if (c === '.') {
      out += `[^${lineTerminators}]`;
    } else if (c === '{') {
      // A repetition ('u' patterns have no literal braces): its counts as plain numbers, which is
      // all RE2 reads as one (`a{02}` is literal text to it).
      const m = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i, i + 24));
      if (m === null) {
        out += c;
      } else {
        out += `{${Number(m[1])}${m[2] === undefined ? '' : `,${m[3] === '' ? '' : Number(m[3])}`}}`;
        i += m[0].length - 1;
      }
    } else {
      out += c;
    }
  }
  return out;
}
