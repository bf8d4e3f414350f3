/**
 * Checks of the journal's lists as SQLite writes them (see `JournalScan`): run where a resume
 * reads them, and once more where a journal chunk is written, so a resume need not run them
 * again over the chunk's steps. Loops over characters, not regular expressions: V8's
 * backtracking engine keeps an entry per repetition of a group and runs out of stack on a
 * journal of some 400,000 steps.
 */

/** Whether `list` is `count` fingerprints of 14 lower-case hex digits, comma-separated. */
export function isFingerprintList(list: string, count: number): boolean {
  if (list.length !== 15 * count - 1) return false;
  for (let i = 0; i < list.length; i++) {
    const c = list.charCodeAt(i);
    if (i % 15 === 14 ? c !== 44 : !((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

/** How many times `char` occurs in `text`. */
export function count(text: string, char: string): number {
  let n = 0;
  for (let i = text.indexOf(char); i >= 0; i = text.indexOf(char, i + 1)) n++;
  return n;
}

/** Whether a comma-separated list of non-negative integers is strictly ascending (read in place). */
export function ascending(list: string): boolean {
  let previous = -1;
  let n = 0;
  for (let i = 0; i <= list.length; i++) {
    const c = i < list.length ? list.charCodeAt(i) : 44;
    if (c === 44) {
      if (n <= previous) return false;
      previous = n;
      n = 0;
    } else if (c >= 48 && c <= 57) {
      n = n * 10 + (c - 48);
    } else {
      return false;
    }
  }
  return true;
}
