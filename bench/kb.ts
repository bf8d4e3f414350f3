/**
 * `kb_search_10k_p50_ms`: one `kb.search` over a tenant's knowledge base of 10,000 documents.
 *
 * 10,000 documents of 100–300 words (generated deterministically: a seeded PRNG picks a topic,
 * then sentences of common words, topic words with a Zipf-like skew, numbers and names) are
 * bulk-loaded host-side through `KbTable.addMany` into a real SQLite file. Then 2–4-word queries
 * (words mode, some phrased as questions) are timed one by one through `KbTable.search`, which
 * is exactly what the `kb.search` action runs; the figure is their p50. The engine's step cost
 * (≈ `step_ms`) comes on top when a workflow calls the action.
 */
import { existsSync, statSync } from 'node:fs';
import { betterSqlite3 } from '../runtime/deps.js';
import { kbIndexName, KbTable, wordsQuery, type KbDocumentInput } from '../stdlib/kb/index.js';
import { median, nowMs, percentile, round, scratch, type GroupResult } from './harness.js';

/** mulberry32: a small, fast PRNG whose sequence depends only on the seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const topics: Record<string, string> = {
  billing: 'invoice payment refund charge subscription plan price discount credit card receipt tax currency billing renewal trial upgrade downgrade balance overdue statement',
  shipping: 'parcel delivery shipment carrier tracking warehouse courier address customs package pallet freight dispatch return label postage delay express pickup route',
  accounts: 'password login account email profile username reset verification session token lockout signup settings avatar permission role invite recovery identity',
  security: 'encryption certificate firewall vulnerability patch audit breach phishing malware access policy compliance incident key rotation backup threat scan alert',
  engineering: 'deployment server database migration latency cache cluster release build pipeline container kubernetes monitoring outage rollback index query replica queue',
  hr: 'vacation leave payroll onboarding benefits contract salary interview hiring manager review promotion holiday overtime training handbook remote office policy',
  product: 'feature roadmap dashboard report export integration webhook notification widget template workspace calendar search filter analytics mobile app beta',
  legal: 'agreement clause liability warranty termination jurisdiction privacy consent license trademark dispute arbitration indemnity confidentiality regulation notice',
};
const topicNames = Object.keys(topics);
/** Function words: about 45% of the words of English prose. */
const common = (
  'the a of to and in is for on with that it as be by this are or from at your we can you will if our not have ' +
  'please when all must should may after before within each any other more than then there which their its'
).split(' ');
const general = (
  'process issue update change support customer service system information team version guide step question answer ' +
  'problem solution option detail case note record period month week year morning evening region europe america asia ' +
  'request time day new first last number list page document file form link message status result approval owner'
).split(' ');
const names = 'acme globex initech umbrella stark wayne hooli vandelay tyrell cyberdyne'.split(' ');

/**
 * Rare words: real prose draws most of its content words from a long tail (Heaps' law), which is
 * what keeps a query term's document frequency realistic. Pronounceable made-up words stand in
 * for it, distinct and the same on every run.
 */
function tailWords(seed: number, count: number, taken: Set<string>): string[] {
  const rand = prng(seed);
  const onsets = ['b', 'c', 'd', 'f', 'g', 'h', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'br', 'cl', 'dr', 'gr', 'pl', 'st', 'tr', 'sh', 'ch'];
  const vowels = ['a', 'e', 'i', 'o', 'u', 'ai', 'ea', 'ou'];
  const codas = ['', '', '', 'n', 'r', 's', 't', 'l', 'm'];
  const out: string[] = [];
  while (out.length < count) {
    let w = '';
    const syllables = rand() < 0.15 ? 1 : rand() < 0.8 ? 2 : 3;
    for (let i = 0; i < syllables; i++) w += onsets[Math.floor(rand() * onsets.length)] + vowels[Math.floor(rand() * vowels.length)] + codas[Math.floor(rand() * codas.length)];
    if (taken.has(w)) continue;
    taken.add(w);
    out.push(w);
  }
  return out;
}

/** Samples ranks 0..n-1 with probability ∝ 1/(rank+1)^s: word frequencies in text follow it. */
function zipfSampler(n: number, s: number): (rand: () => number) => number {
  const cumulative = new Float64Array(n);
  let sum = 0;
  for (let r = 0; r < n; r++) cumulative[r] = sum += 1 / Math.pow(r + 1, s);
  return (rand) => {
    const x = rand() * sum;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

/**
 * Each topic's content vocabulary by rank: its own head words, the shared general words, then a
 * tail of 1,500 rare words of its own and 3,000 shared ones (about 38,000 distinct words in all).
 */
const vocabularies: string[][] = (() => {
  const taken = new Set<string>([...common, ...general, ...names, ...Object.values(topics).flatMap((t) => t.split(' '))]);
  const shared = tailWords(1, 3000, taken);
  return topicNames.map((name, t) => {
    const own = tailWords(100 + t, 1500, taken);
    const tail: string[] = [];
    // Interleaved so that the topic's own rare words rank above most shared ones.
    for (let i = 0; i < own.length; i++) tail.push(own[i], shared[2 * i], shared[2 * i + 1]);
    return [...topics[name].split(' '), ...general, ...tail];
  });
})();
const contentRank = zipfSampler(vocabularies[0].length, 1.05);

function sentence(rand: () => number, topic: number): string {
  const n = 8 + Math.floor(rand() * 13);
  const words: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = rand();
    if (r < 0.45) words.push(common[Math.floor(Math.pow(rand(), 1.5) * common.length)]);
    else if (r < 0.88) words.push(vocabularies[topic][contentRank(rand)]);
    else if (r < 0.93) words.push(vocabularies[Math.floor(rand() * vocabularies.length)][contentRank(rand)]);
    else if (r < 0.97) words.push(String(Math.floor(rand() * 1000)));
    else words.push(names[Math.floor(rand() * names.length)]);
  }
  const s = words.join(' ');
  return s[0].toUpperCase() + s.slice(1) + (rand() < 0.1 ? '?' : '.');
}

/** Document `i` of the corpus: the same text for the same `i`, on every machine. */
export function generatedDocument(i: number): KbDocumentInput {
  const rand = prng(0x6b62 + i * 7919);
  const t = Math.floor(rand() * topicNames.length);
  const target = 100 + Math.floor(rand() * 201);
  const sentences: string[] = [];
  let words = 0;
  while (words < target) {
    const s = sentence(rand, t);
    sentences.push(s);
    words += s.split(' ').length;
  }
  const title = [0, 1, 2].map(() => vocabularies[t][contentRank(rand)]).join(' ');
  return {
    id: `doc-${i}`,
    title: title[0].toUpperCase() + title.slice(1),
    text: sentences.join(' '),
    metadata: { topic: topicNames[t], year: 2018 + (i % 8) },
    source: `https://intranet.example/${topicNames[t]}/${i}`,
  };
}

/** A query of 2–4 content words of one topic, drawn as the text draws them; a third asked as a question. */
function generatedQuery(rand: () => number): string {
  const topic = vocabularies[Math.floor(rand() * vocabularies.length)];
  const n = 2 + Math.floor(rand() * 3);
  const words: string[] = [];
  for (let i = 0; i < n; i++) words.push(topic[contentRank(rand)]);
  return rand() < 0.33 ? `how do I ${words.join(' ')}?` : words.join(' ');
}

/** Documents matched by each query's words, all of them, read through a connection of its own. */
function matchCounts(path: string, tenant: string, queries: string[]): number[] {
  const db = new (betterSqlite3())(path, { readonly: true });
  try {
    const index = kbIndexName(tenant);
    const count = db.prepare(`SELECT count(*) AS n FROM ${index} WHERE ${index} MATCH ?`);
    return queries.map((q) => (count.get(wordsQuery(q) ?? '""') as { n: number }).n);
  } finally {
    db.close();
  }
}

export async function kbGroup(options: { quick: boolean }): Promise<GroupResult> {
  const documents = 10_000;
  const queries = options.quick ? 200 : 600;
  const s = scratch('kb');
  const table = new KbTable(s.dbPath);
  try {
    const loadStart = nowMs();
    for (let from = 0; from < documents; from += 1000) {
      const batch = Array.from({ length: 1000 }, (_, k) => generatedDocument(from + k));
      const counts = table.addMany('bench', batch, Date.now());
      if (counts.added !== batch.length) throw new Error(`kb bench: expected ${batch.length} added, got ${JSON.stringify(counts)}`);
    }
    const loadMs = nowMs() - loadStart;
    if (table.count('bench') !== documents) throw new Error(`kb bench: ${table.count('bench')} documents stored, expected ${documents}`);

    const rand = prng(42);
    // Warm-up: prepared statements, the page cache, the JIT.
    for (let i = 0; i < 30; i++) table.search('bench', { query: generatedQuery(rand) });
    const samples: number[] = [];
    let hits = 0;
    let empty = 0;
    for (let i = 0; i < queries; i++) {
      const query = generatedQuery(rand);
      const t0 = nowMs();
      const found = table.search('bench', { query, limit: 5 }).hits.length;
      samples.push(nowMs() - t0);
      hits += found;
      if (found === 0) empty++;
    }
    const words = Array.from({ length: 200 }, (_, i) => generatedDocument(i).text.split(' ').length);
    // How many documents each query matches (before the limit): the work bm25 does per search.
    const matched = matchCounts(s.dbPath, 'bench', Array.from({ length: 100 }, () => generatedQuery(rand)));
    // The WAL may still hold pages not yet checkpointed into the main file.
    const bytes = [s.dbPath, `${s.dbPath}-wal`].filter((f) => existsSync(f)).reduce((sum, f) => sum + statSync(f).size, 0);
    return {
      figures: [
        {
          name: 'kb_search_10k_p50_ms',
          value: round(percentile(samples, 50)),
          unit: 'ms',
          how: `KbTable.search (what kb.search runs), words mode, limit 5, snippets on, p50 over ${queries} generated 2–4-word queries, one tenant of ${documents} generated documents of 100–300 words, SQLite FTS5 porter/unicode61`,
          samples: samples.map((x) => round(x)),
        },
      ],
      notes: [
        { label: 'kb: search p95 / max', text: `${round(percentile(samples, 95), 3)} ms / ${round(Math.max(...samples), 3)} ms; ${round(hits / queries, 3)} hits per query, ${empty} queries without hits; a query matches ${round(median(matched), 3)} documents (median over 100, before the limit)` },
        { label: 'kb: bulk load', text: `${documents} documents (median ${median(words)} words) in ${round(loadMs / 1000, 3)} s = ${round(documents / (loadMs / 1000), 3)} docs/s (addMany, 1000 per transaction); store file and WAL ${round(bytes / 1048576, 3)} MiB` },
      ],
    };
  } finally {
    table.close();
    s.dispose();
  }
}
