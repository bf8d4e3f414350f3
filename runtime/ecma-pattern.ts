/**
 * JSON Schema's `pattern`s are ECMA-262 regular expressions; untrusted ones run on RE2 (re2js,
 * linear time; see schema-budget.ts). The two read most syntax alike, but not all of it:
 *
 * - `\s` is JavaScript's whitespace (also `\v`, U+00A0, U+1680, U+2000–U+200A, U+2028, U+2029,
 *   U+202F, U+205F, U+3000, U+FEFF); RE2's is `[\t\n\f\r ]`, so `^\S+$` let "a\u00a0b" through;
 * - `.` stops at every line terminator (`\n`, `\r`, U+2028, U+2029); RE2's only at `\n`;
 * - `\uXXXX`, `\u{X…}`, `\cX` and `[^]` are JavaScript's; RE2 refuses them.
 *
 * `re2Source` writes a pattern that `new RegExp(p, 'u')` accepts in RE2's syntax with
 * JavaScript's meaning for these. What RE2 cannot do (lookarounds, backreferences) stays as it
 * is, and RE2 refuses it. Inside a class, `\S` keeps RE2's meaning (a negated set cannot be
 * spelled as ranges of a class).
 */

/** JavaScript's `\s`, as ranges for inside a class. */
const jsSpaceRanges = '\\t\\n\\x{0B}\\f\\r \\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}\\x{FEFF}';
const lineTerminators = '\\n\\r\\x{2028}\\x{2029}';

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
        out += `\\x{${pattern.slice(i + 2, i + 6)}}`;
        i += 5;
      } else if (n === 'c') {
        out += `\\x{${(pattern.charCodeAt(i + 2) % 32).toString(16)}}`;
        i += 2;
      } else if (n === 's') {
        out += inClass ? jsSpaceRanges : `[${jsSpaceRanges}]`;
        i++;
      } else if (n === 'S' && !inClass) {
        out += `[^${jsSpaceRanges}]`;
        i++;
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
      out += c;
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
    } else {
      out += c;
    }
  }
  return out;
}
