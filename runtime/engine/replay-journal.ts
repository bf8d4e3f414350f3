/**
 * A run's journal as a re-run hands it to the guest runtime: the completed steps' calls as the
 * columns of `GuestJournal` (JSON, for the guest's config) and their outcomes as feed units, all
 * in completion order. Replay reads every journaled step, so this is its hot path: SQLite's one
 * unsorted pass (`journalScan`) gives every list in key (seq) order, which is completion order
 * for most runs; for the others the lists are put in order here. Only a store that does not fit
 * those lists (one edited by hand, or too big for one string) is read row by row.
 */
import { ascending, count } from '../journal/lists.js';
import type { JournalBounds, JournalScan, Queries } from '../journal/queries.js';
import { FeedKind } from '../sandbox/guest.js';

export interface ReplayJournal {
  bounds: JournalBounds;
  /** JSON of the guest's `journal` config member (see `GuestJournal`). */
  json: string;
  /**
   * The outcomes in completion order, in units of whole steps (see `feedUnit`): of the ordinary
   * steps only when `inlineFeed` has the inline ones.
   */
  feed: string[];
  /**
   * The inline steps' outcomes, the same way, when the journal has both kinds and more than one
   * batch of outcomes (`GuestJournal.split`); else empty, and `feed` holds every outcome. A re-run
   * settles an inline step at its call, so it needs that outcome then; in a stream of its own,
   * it does not drag in every ordinary outcome that completed before it (which the guest would
   * hold until their own turn). Within one batch, holding them is what a batch allows anyway.
   */
  inlineFeed: string[];
}

/**
 * One feed unit as the guest parses it, from the steps' outcomes (each `feedOutcome`,
 * comma-joined) and their arguments' texts (joined by U+001E): the outcomes as a JSON array of
 * `kind, value` (see `FeedKind`), U+001D, then the texts.
 * JSON text never holds those characters raw (control characters are escaped), so the guest
 * splits the texts with the builtin `split` instead of parsing them as JSON strings: each text
 * unescaped, per step, was a third of what the guest spent reading a replayed step's outcome in
 * a fresh context, and each outcome's wrapper object another part.
 */
function feedUnit(outcomes: string, texts: string): string {
  return `[${outcomes}]\x1d${texts}`;
}

const okPrefix = '{"ok":true,"value":';
const errorPrefix = '{"ok":false,"error":';

/**
 * A stored outcome as `kind,value` for the feed. The engine writes every outcome as exactly
 * `{"ok":true,"value":V}` or `{"ok":false,"error":E}`; anything that does not start and end that
 * way (a store edited by hand) goes whole, as kind 2, and the guest reads it as it would have
 * read any outcome. One edited to start and end that way with more inside
 * (`{"ok":true,"value":1,"x":2}`) makes a batch the guest cannot read: the execution is then
 * aborted as an engine error (docs/runtime.md), never handed another step's outcome.
 */
function feedOutcome(outcome: string): string {
  if (outcome.endsWith('}')) {
    if (outcome.startsWith(okPrefix)) return `${FeedKind.value},${outcome.slice(okPrefix.length, -1)}`;
    if (outcome.startsWith(errorPrefix)) return `${FeedKind.error},${outcome.slice(errorPrefix.length, -1)}`;
  }
  return `${FeedKind.outcome},${outcome}`;
}

/**
 * `feedOutcome` of every outcome of SQLite's list (separated by U+001E), comma-joined. When every
 * outcome has one of the engine's two forms, the separators with the prefixes that follow them
 * are replaced in two passes over the whole text, as `feedOutcome` would have written each.
 */
function feedOutcomes(list: string): string {
  const joined = list.replaceAll(`}\x1e${okPrefix}`, `,${FeedKind.value},`).replaceAll(`}\x1e${errorPrefix}`, `,${FeedKind.error},`);
  if (!joined.includes('\x1e') && joined.endsWith('}')) {
    if (joined.startsWith(okPrefix)) return `${FeedKind.value},${joined.slice(okPrefix.length, -1)}`;
    if (joined.startsWith(errorPrefix)) return `${FeedKind.error},${joined.slice(errorPrefix.length, -1)}`;
  }
  return list.split('\x1e').map(feedOutcome).join(',');
}

/** A journaled step's outcome (`feedOutcome`) and its arguments' text, as the feed carries them. */
type Pair = [outcome: string, text: string];

const emptyJson = '{"seq":[],"name":[],"names":[],"fp":"","time":[],"inline":[],"split":0}';

/**
 * The journal of a run for the guest. `batchBytes` bounds a feed unit (past one step): the
 * guest parses a unit at a time, and a long journal never has to fit in its heap at once.
 */
export function replayJournal(queries: Queries, runId: string, batchBytes: number): ReplayJournal {
  let scan: JournalScan;
  try {
    scan = queries.journalScan(runId);
  } catch (err) {
    // A journal whose lists outgrow one string (SQLite's or V8's limit): row by row, then.
    if (!/too big|string length|TOOBIG/i.test((err as Error)?.message ?? '')) throw err;
    const bounds = queries.journalBounds(runId);
    return bounds.done === 0 ? { bounds, json: emptyJson, feed: [], inlineFeed: [] } : fromRows(queries, runId, bounds, batchBytes);
  }
  if (scan.done === 0) return { bounds: scan, json: emptyJson, feed: [], inlineFeed: [] };
  const actions = scan.actions.split(',');
  // An action name that is not one word of the catalog's alphabet, or an outcome or a text
  // that is not the engine's JSON (only a store edited by hand has any), takes the row-by-row path.
  // (Lists read from journal chunks come checked, and say whether they are in order: see
  // `JournalScan.lined` and `ordered`.)
  if (actions.length !== scan.done || scan.fps.length !== 14 * scan.done ||
      (scan.lined !== true && (count(scan.outcomes, '\x1e') !== scan.done - 1 || count(scan.texts, '\x1e') !== scan.done - 1))) {
    return fromRows(queries, runId, scan, batchBytes);
  }
  if (!(scan.ordered ?? ascending(scan.order))) return reordered(queries, runId, scan, actions, batchBytes);
  // A journal whose outcomes fit one batch, or whose steps are all of one kind, is one stream
  // as SQLite wrote it: the common case, with no split.
  const outcomes = feedOutcomes(scan.outcomes);
  const bytes = outcomes.length + scan.texts.length + 3;
  const mixed = scan.inlines.includes('1') && scan.inlines.includes('0');
  if (mixed && bytes > batchBytes) {
    return { bounds: scan, json: guestJson(scan.seqs, actions, scan.fps, scan.times, scan.inlines, true), ...streams(pairsOf(scan), scan.inlines.split(','), batchBytes) };
  }
  const json = guestJson(scan.seqs, actions, scan.fps, scan.times, scan.inlines, false);
  const feed = bytes <= batchBytes ? [feedUnit(outcomes, scan.texts)] : batched(pairsOf(scan), batchBytes);
  return { bounds: scan, json, feed, inlineFeed: [] };
}

/** "1,2,…,n" for the largest n asked so far; its prefixes answer every smaller n. */
let firstSeqs = '1';
let firstSeqsCount = 1;

/** Whether a comma-separated list of seqs is exactly 1,2,…,n. */
function isFirstSeqs(list: string, n: number): boolean {
  if (n < 1 || n > 100_000 || !list.startsWith('1')) return false;
  if (n > firstSeqsCount) {
    const more: number[] = [];
    for (let i = firstSeqsCount + 1; i <= n; i++) more.push(i);
    firstSeqs += `,${more.join(',')}`;
    firstSeqsCount = n;
  }
  // The text of 1..n: n numbers, n - 1 commas, and one more digit for each number ≥ 10, ≥ 100, …
  let length = 2 * n - 1;
  for (let p = 10; p <= n; p *= 10) length += n - p + 1;
  return list.length === length && firstSeqs.startsWith(list);
}

function pairsOf(scan: JournalScan): Pair[] {
  const outcomes = scan.outcomes.split('\x1e');
  const texts = scan.texts.split('\x1e');
  return outcomes.map((o, i) => [feedOutcome(o), texts[i]]);
}

/** The length of the unit `feedUnit` makes of these pairs. */
function unitBytes(pairs: readonly Pair[]): number {
  let bytes = 2;
  for (const [o, t] of pairs) bytes += o.length + t.length + 2;
  return bytes - (pairs.length > 0 ? 1 : 0);
}

/**
 * The outcome pairs (in completion order) as feed units: one stream when they fit one batch
 * (the guest may hold a batch anyway), else split by their inline flags into two.
 */
function streams(pairs: readonly Pair[], inline: readonly (string | number)[], batchBytes: number): { feed: string[]; inlineFeed: string[] } {
  if (!isSplit(pairs, inline, batchBytes)) return { feed: batched(pairs, batchBytes), inlineFeed: [] };
  const ordinary: Pair[] = [];
  const inlined: Pair[] = [];
  for (let i = 0; i < pairs.length; i++) (String(inline[i]) === '1' ? inlined : ordinary).push(pairs[i]);
  return { feed: batched(ordinary, batchBytes), inlineFeed: batched(inlined, batchBytes) };
}

/** Whether outcome pairs go to the guest as two streams: only when there are both kinds and more than a batch. */
function isSplit(pairs: readonly Pair[], inline: readonly (string | number)[], batchBytes: number): boolean {
  // The length of all the pairs as one unit, as the fast path measures SQLite's texts: all paths agree.
  return unitBytes(pairs) > batchBytes && inline.some((f) => String(f) === '1') && inline.some((f) => String(f) !== '1');
}

/**
 * The scan's lists put in completion order (ties by seq, as `ORDER BY completion, seq`): steps
 * that completed out of seq order, as under `Promise.all`, need no second read of the rows.
 */
function reordered(queries: Queries, runId: string, scan: JournalScan, actions: string[], batchBytes: number): ReplayJournal {
  const n = scan.done;
  const order = scan.order.split(',').map(Number);
  const seqs = scan.seqs.split(',').map(Number);
  const times = scan.times.split(',');
  const inlines = scan.inlines.split(',');
  const pairs = pairsOf(scan);
  if (order.length !== n || seqs.length !== n || times.length !== n || inlines.length !== n || !order.every((c) => Number.isSafeInteger(c) && c > 0)) {
    return fromRows(queries, runId, scan, batchBytes);
  }
  const at = Array.from({ length: n }, (_, i) => i).sort((x, y) => order[x] - order[y] || seqs[x] - seqs[y]);
  const sortedPairs = at.map((i) => pairs[i]);
  const sortedInlines = at.map((i) => inlines[i]);
  const json = guestJson(at.map((i) => seqs[i]).join(','), at.map((i) => actions[i]), at.map((i) => scan.fps.slice(14 * i, 14 * i + 14)).join(''),
    at.map((i) => times[i]).join(','), sortedInlines.join(','), isSplit(sortedPairs, sortedInlines, batchBytes));
  return { bounds: scan, json, ...streams(sortedPairs, sortedInlines, batchBytes) };
}

function fromRows(queries: Queries, runId: string, bounds: JournalBounds, batchBytes: number): ReplayJournal {
  const rows = queries.journalRows(runId);
  // A text with the feed's separator in it (only a store edited by hand has one) goes as "",
  // which no call's text equals: the guest then checks that call by its fingerprint.
  const pairs = rows.map((r): Pair => [feedOutcome(r[5]), r[6].includes('\x1e') ? '' : r[6]]);
  const inlines = rows.map((r) => r[4]);
  const json = guestJson(rows.map((r) => r[0]).join(','), rows.map((r) => r[1]), rows.map((r) => r[2]).join(''),
    rows.map((r) => (r[3] === null ? 'null' : r[3])).join(','), inlines.join(','), isSplit(pairs, inlines, batchBytes));
  return { bounds, json, ...streams(pairs, inlines, batchBytes) };
}

/**
 * The `GuestJournal` JSON from its lists in completion order: seqs, times and inline flags
 * comma-separated, fingerprints 14 characters each, one action name per step.
 */
function guestJson(seqs: string, actions: readonly string[], fps: string, times: string, inlines: string, split: boolean): string {
  const { names, ids } = numbered(actions);
  // Most runs awaited each step as they went: their seqs are 1..n in completion order, sent as n.
  return `{"seq":${isFirstSeqs(seqs, actions.length) ? actions.length : `[${seqs}]`},"name":[${ids.join(',')}],"names":${JSON.stringify(names)},"fp":${JSON.stringify(fps)},"time":[${times}],"inline":[${inlines}],"split":${split ? 1 : 0}}`;
}

/** Each distinct action once, and every step's action as its index in that list. */
function numbered(actions: readonly string[]): { names: string[]; ids: number[] } {
  const names: string[] = [];
  const index = new Map<string, number>();
  const ids = new Array<number>(actions.length);
  let last = '';
  let lastId = -1;
  for (let i = 0; i < actions.length; i++) {
    const a = actions[i];
    if (a !== last || lastId < 0) {
      let id = index.get(a);
      if (id === undefined) {
        id = names.length;
        names.push(a);
        index.set(a, id);
      }
      last = a;
      lastId = id;
    }
    ids[i] = lastId;
  }
  return { names, ids };
}

/** Pairs as feed units of at most `batchBytes` characters (at least one pair each). */
function batched(pairs: readonly Pair[], batchBytes: number): string[] {
  const units: string[] = [];
  let outcomes: string[] = [];
  let texts: string[] = [];
  let bytes = 1;
  for (const [o, t] of pairs) {
    if (outcomes.length > 0 && bytes + o.length + t.length + 2 > batchBytes) {
      units.push(feedUnit(outcomes.join(','), texts.join('\x1e')));
      outcomes = [];
      texts = [];
      bytes = 1;
    }
    outcomes.push(o);
    texts.push(t);
    bytes += o.length + t.length + 2;
  }
  if (outcomes.length > 0) units.push(feedUnit(outcomes.join(','), texts.join('\x1e')));
  return units;
}
