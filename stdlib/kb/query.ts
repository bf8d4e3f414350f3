/**
 * What `kb.search` hands to FTS5's MATCH. Two modes:
 *
 * - `words` (default): any user text, a chat question included, is cut into words and each word
 *   becomes a quoted FTS5 string joined with OR. A quoted string is always a valid FTS5 phrase,
 *   whatever it holds, so no text the user types (`"`, `*`, `NEAR(`, `-`, `:`, `AND`, …) is ever
 *   read as FTS5 syntax, and no query in this mode can fail to parse. OR, not AND: a chat question
 *   rarely has every one of its words in the passage that answers it; bm25 already ranks a
 *   document matching more terms, and rarer ones, above one matching fewer or common ones.
 * - `fts`: the text is FTS5 query syntax, passed as it is; a syntax error is the caller's.
 */

/** Most distinct words a `words` query keeps; the rest of a very long text is ignored. */
export const maxQueryTerms = 64;

/**
 * A word is a run of letters, digits and combining marks: the characters the `unicode61`
 * tokenizer keeps in a token (it splits on everything else). A word that the tokenizer still
 * splits (or empties) stays harmless, because it is quoted.
 */
const word = /[\p{L}\p{N}\p{M}]+/gu;

/**
 * Common English words dropped from a `words` query unless it has nothing else. They match
 * nearly every document, so they add little to the ranking and make FTS5 score most of the
 * corpus: "what is the refund policy?" searches for "refund" OR "policy". Porter stems the rest.
 */
const stopwords = new Set(
  (
    'a about above after again against all am an and any are as at be because been before being below between both but by ' +
    'can could did do does doing down during each few for from further had has have having he her here hers herself him himself ' +
    'his how i if in into is it its itself just me more most my myself no nor not of off on once only or other our ours ' +
    'ourselves out over own same she should so some such than that the their theirs them themselves then there these they ' +
    'this those through to too under until up very was we were what when where which while who whom why will with would you ' +
    'your yours yourself yourselves'
  ).split(' '),
);

/**
 * The words of `text` as an FTS5 query: each distinct word (lower-cased, at most
 * {@link maxQueryTerms}) quoted, joined with OR, English stopwords left out unless the text
 * has only stopwords. `null` when the text has no word at all (empty, punctuation only): there
 * is nothing to search for, and `kb.search` answers no hits.
 *
 * @example wordsQuery('What is "NEAR(x)"?') // '"near" OR "x"'
 */
export function wordsQuery(text: string): string | null {
  const seen = new Set<string>();
  for (const m of text.matchAll(word)) {
    // toLowerCase is locale-independent (unlike toLocaleLowerCase); the tokenizer folds case too,
    // this only makes "Refund" and "refund" one term.
    seen.add(m[0].toLowerCase());
    // Enough words to keep maxQueryTerms after the stopwords go; a 64 KiB text is not scanned whole.
    if (seen.size >= maxQueryTerms * 4) break;
  }
  if (seen.size === 0) return null;
  const all = [...seen];
  const content = all.filter((w) => !stopwords.has(w));
  const terms = (content.length > 0 ? content : all).slice(0, maxQueryTerms);
  // No word contains `"` (the regex admits letters, digits and marks only), so the quotes close.
  return terms.map((t) => `"${t}"`).join(' OR ');
}

/** Most prefix terms (`rel*`) of an `fts` query: each one reads every indexed term it starts. */
export const maxPrefixTerms = 4;

/**
 * Why an `fts` query is refused before it reaches FTS5, or null. FTS5 evaluates a query on the
 * engine's one thread, over the tenant's whole index, and its cost grows with the square of
 * the number of terms: 3,000 copies of one word take seconds over 200 documents, a 64 KiB query
 * minutes. So an `fts` query may hold at most {@link maxQueryTerms} terms (the words of its
 * phrases and its barewords; AND, OR, NOT, NEAR and column names are not terms), as a `words`
 * query does, and at most {@link maxPrefixTerms} prefix terms.
 */
export function ftsQueryLimits(query: string): FtsQueryProblem | null {
  let terms = 0;
  let prefixes = 0;
  // A string ("…", with "" inside) or a bareword; FTS5 splits barewords on everything else.
  const token = /"((?:[^"]|"")*)"?|[\p{L}\p{N}\p{M}_\u001a]+/gu;
  for (const m of query.matchAll(token)) {
    // The first character after the token and its spaces (no slicing: the query may be 64 KiB).
    let at = (m.index ?? 0) + m[0].length;
    while (at < query.length && /\s/.test(query[at])) at++;
    const next = query[at];
    if (m[0].startsWith('"')) {
      terms += [...(m[1] ?? '').matchAll(word)].length;
    } else if (['AND', 'OR', 'NOT', 'NEAR'].includes(m[0]) || next === ':') {
      continue;
    } else {
      terms++;
    }
    if (next === '*') prefixes++;
    if (terms > maxQueryTerms) return { reason: `more than ${maxQueryTerms} terms; search for fewer words, or pass syntax: "words"`, position: m.index ?? null };
    if (prefixes > maxPrefixTerms) return { reason: `more than ${maxPrefixTerms} prefix terms (word*)`, position: m.index ?? null };
  }
  return null;
}

/** Where and why an FTS5 query failed to parse, as far as SQLite's message tells. */
export interface FtsQueryProblem {
  /** SQLite's message, e.g. `fts5: syntax error near "("`. */
  reason: string;
  /** 0-based character offset in the query, best effort (null when the message names no place). */
  position: number | null;
}

/** Messages SQLite gives for a MATCH expression it cannot use; other errors are not the query's. */
const queryErrors = /fts5: syntax error|unterminated string|no such column|unknown special query|fts5: .*not supported|malformed MATCH|fts5: parser stack overflow|fts5 expression tree is too large/;

/**
 * Reads an SQLite error thrown while running MATCH with `query`: a problem of the query itself
 * (returned, for a memoized `ALICE_KB_QUERY`), or null for anything else (a busy file, …), which
 * stays a retryable failure.
 */
export function ftsQueryProblem(query: string, err: unknown): FtsQueryProblem | null {
  const code = (err as { code?: unknown } | null)?.code;
  const message = err instanceof Error ? err.message : '';
  if (code !== 'SQLITE_ERROR' || !queryErrors.test(message)) return null;
  return { reason: message, position: locate(query, message) };
}

function locate(query: string, message: string): number | null {
  const near = /near "((?:[^"]|"")*)"$/.exec(message);
  if (near !== null) {
    // FTS5 names the token it stopped at; an empty one means the query ended too early.
    if (near[1] === '') return query.length;
    const at = query.indexOf(near[1].replace(/""/g, '"'));
    return at >= 0 ? at : null;
  }
  if (message.includes('unterminated string')) {
    // The opening quote of the string left open: the last quote at an odd count.
    let open = -1;
    for (let i = 0; i < query.length; i++) if (query[i] === '"') open = open === -1 ? i : -1;
    return open >= 0 ? open : null;
  }
  const column = /no such column: (.+)$/.exec(message);
  if (column !== null) {
    const at = query.indexOf(column[1]);
    return at >= 0 ? at : null;
  }
  return null;
}
