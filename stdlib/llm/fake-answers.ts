/**
 * The fake LLM's default answers: deterministic functions of the request, so tests and demos
 * can predict them. Nothing here is clever on purpose; it only has to look like a model that
 * reads its prompt.
 *
 * - Plain chat: when the messages hold numbered passages (a line starting `[1]` opens one, see
 *   findPassages), the answer quotes the first sentence of the (at most two) passages sharing the
 *   most words with the question, each followed by its citation: `Kiwis are rich in vitamin C [1].`
 *   (no passage shares a word: passage [lowest n]). Otherwise it echoes the question: `You said: …`.
 *   The question is the last user message's `Question:` line if it has one, else that message
 *   without its passages.
 * - JSON mode with a schema (`response_format.type = 'json_schema'`): a value built from the
 *   schema, filled from `name: value` lines of the user messages (see {@link exampleFor}).
 * - JSON mode without a schema (`json_object`): an object of the `name: value` lines of the user
 *   messages, or `{ "answer": <the plain answer> }` when there are none.
 */

/** One chat message as the fake server reads it (content parts are joined to text). */
export interface FakeMessage {
  role: string;
  content: string;
}

/** The parts of a chat-completions request the default answers look at. */
export interface FakeChatRequest {
  model: string;
  messages: FakeMessage[];
  responseFormat: { type: 'text' } | { type: 'json_object' } | { type: 'json_schema'; schema: unknown };
  maxTokens: number | null;
  /** The request body as it arrived. */
  raw: Record<string, unknown>;
}

const stopWords = new Set(['the', 'and', 'for', 'are', 'was', 'what', 'who', 'how', 'why', 'when', 'which', 'with', 'that', 'this', 'does', 'did', 'can', 'you', 'your', 'from', 'about', 'into', 'there', 'their', 'has', 'have', 'not', 'any', 'all', 'our', 'its']);

/** The text the default answers respond to: the last user message. */
export function lastUserText(req: FakeChatRequest): string {
  for (let i = req.messages.length - 1; i >= 0; i--) if (req.messages[i].role === 'user') return req.messages[i].content;
  return '';
}

/** The plain-text default answer (see the module comment). */
export function plainAnswer(req: FakeChatRequest): string {
  const passages = new Map<number, { title: string; body: string }>();
  for (const m of req.messages) for (const p of findPassages(m.content)) if (!passages.has(p.n)) passages.set(p.n, p);
  const question = questionOf(lastUserText(req));
  if (passages.size === 0) return question === '' ? 'Hello! How can I help?' : `You said: ${question}`;
  const asked = words(question);
  const ranked = [...passages.entries()]
    .map(([n, p]) => ({ n, text: p.body, score: [...words(`${p.title} ${p.body}`)].filter((w) => asked.has(w)).length }))
    .sort((a, b) => b.score - a.score || a.n - b.n);
  const hits = ranked.filter((p) => p.score > 0).slice(0, 2);
  const cited = hits.length > 0 ? hits.sort((a, b) => a.n - b.n) : [ranked.sort((a, b) => a.n - b.n)[0]];
  return cited.map((p) => `${firstSentence(p.text)} [${p.n}].`).join(' ');
}

/**
 * Numbered passages of a text: a line starting `[n]` opens one, which runs to the next such
 * line or a blank line. A passage of several lines has its first line as a title (as in
 * `[1] handbook.md` followed by the text); a one-line passage is all body.
 */
function findPassages(text: string): Array<{ n: number; title: string; body: string }> {
  const out: Array<{ n: number; title: string; body: string }> = [];
  let current: { n: number; lines: string[] } | null = null;
  const flush = () => {
    if (current === null) return;
    const [first, ...rest] = current.lines.map((l) => l.trim()).filter((l) => l !== '');
    if (first !== undefined) out.push(rest.length === 0 ? { n: current.n, title: '', body: first } : { n: current.n, title: first, body: rest.join(' ') });
    current = null;
  };
  for (const line of text.split('\n')) {
    const m = /^[ \t]*\[(\d{1,4})\][ \t]*(.*)$/.exec(line);
    if (m !== null) {
      flush();
      current = { n: Number(m[1]), lines: [m[2]] };
    } else if (line.trim() === '') flush();
    else current?.lines.push(line);
  }
  flush();
  return out;
}

/** The question of a user message: its `Question:` line if it has one, else the text without passages. */
function questionOf(text: string): string {
  const q = /^[ \t]*Question:[ \t]*(.+)$/im.exec(text);
  if (q !== null) return q[1].trim();
  const kept: string[] = [];
  let inPassage = false;
  for (const line of text.split('\n')) {
    if (/^[ \t]*\[\d{1,4}\]/.test(line)) inPassage = true;
    else if (line.trim() === '') inPassage = false;
    else if (!inPassage) kept.push(line);
  }
  return kept.join('\n').trim();
}

/** The JSON default answer, as text (see the module comment). */
export function jsonAnswer(req: FakeChatRequest): string {
  // Fields of every user message, a later one overriding: a repair request (which has none)
  // still sees the text of the first request.
  const found = new Map<string, { name: string; value: string }>();
  for (const m of req.messages) if (m.role === 'user') for (const [k, v] of fields(m.content)) found.set(k, v);
  if (req.responseFormat.type === 'json_schema') return JSON.stringify(exampleFor(req.responseFormat.schema, found, null, 0));
  if (found.size === 0) return JSON.stringify({ answer: plainAnswer(req) });
  return JSON.stringify(Object.fromEntries([...found.values()].map((f) => [f.name, scalar(f.value)])));
}

/** The default answer for a request: JSON in JSON mode, else plain text. */
export function defaultAnswer(req: FakeChatRequest): string {
  return req.responseFormat.type === 'text' ? plainAnswer(req) : jsonAnswer(req);
}

function words(text: string): Set<string> {
  const out = new Set<string>();
  for (const w of text.toLowerCase().split(/[^\p{L}\p{N}]+/u)) if (w.length >= 3 && !stopWords.has(w)) out.add(w);
  return out;
}

function firstSentence(text: string): string {
  const end = text.search(/[.!?](\s|$)/);
  const sentence = (end === -1 ? text : text.slice(0, end)).trim();
  return sentence.length > 240 ? `${sentence.slice(0, 240).trimEnd()}…` : sentence;
}

/** `name: value` (or `name = value`) lines of a text, by lower-cased name; the first one wins. */
function fields(text: string): Map<string, { name: string; value: string }> {
  const out = new Map<string, { name: string; value: string }>();
  for (const m of text.matchAll(/^[ \t]*([A-Za-z_][\w -]{0,40}?)[ \t]*[:=][ \t]*(.+?)[ \t]*$/gm)) {
    const key = m[1].toLowerCase();
    if (!out.has(key)) out.set(key, { name: m[1], value: m[2] });
  }
  return out;
}

function scalar(value: string): unknown {
  if (/^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  if (value === 'true' || value === 'false') return value === 'true';
  if (value === 'null') return null;
  return value;
}

type Schema = Record<string, unknown>;

/**
 * A value valid against common JSON Schemas, filled from `name: value` fields where a property
 * name matches (case-insensitive): `const`, then the `enum` value the field names (else the
 * first), then `default` (when no field matches), then the first branch of `anyOf`/`oneOf`/
 * `allOf`, then by `type` (the first non-null one): objects
 * get every property, arrays one item (or a field's comma-separated values), strings the field
 * or a placeholder honouring `format` and `minLength`, numbers the field or `minimum` (else 0),
 * booleans the field or false. `$ref` is not followed (null). Depth is capped at 8.
 */
export function exampleFor(schema: unknown, found: Map<string, { name: string; value: string }>, name: string | null, depth: number): unknown {
  if (typeof schema !== 'object' || schema === null || depth > 8) return null;
  const s = schema as Schema;
  const field = name === null ? undefined : found.get(name.toLowerCase())?.value;
  if ('const' in s) return s.const;
  if (Array.isArray(s.enum) && s.enum.length > 0) {
    const listed = field === undefined ? undefined : s.enum.find((v) => String(v).toLowerCase() === field.toLowerCase());
    return listed !== undefined ? listed : s.enum[0];
  }
  if ('default' in s && field === undefined) return s.default;
  for (const k of ['anyOf', 'oneOf', 'allOf']) {
    const branches = s[k];
    if (Array.isArray(branches) && branches.length > 0) return exampleFor(branches[0], found, name, depth + 1);
  }
  const types = Array.isArray(s.type) ? (s.type as unknown[]) : [s.type ?? (s.properties ? 'object' : s.items ? 'array' : 'null')];
  const type = types.find((t) => t !== 'null') ?? 'null';
  switch (type) {
    case 'object': {
      const props = (typeof s.properties === 'object' && s.properties !== null ? s.properties : {}) as Record<string, unknown>;
      return Object.fromEntries(Object.entries(props).map(([k, v]) => [k, exampleFor(v, found, k, depth + 1)]));
    }
    case 'array': {
      if (field !== undefined) return field.split(',').map((part) => exampleFor(s.items, new Map([['item', { name: 'item', value: part.trim() }]]), 'item', depth + 1));
      const min = typeof s.minItems === 'number' ? s.minItems : 1;
      return Array.from({ length: Math.min(Math.max(min, 1), 8) }, () => exampleFor(s.items, found, null, depth + 1));
    }
    case 'string': {
      if (field !== undefined) return field;
      const byFormat: Record<string, string> = { email: 'user@example.com', date: '2026-01-01', 'date-time': '2026-01-01T00:00:00Z', uri: 'https://example.com/', uuid: '00000000-0000-4000-8000-000000000000' };
      const text = byFormat[String(s.format)] ?? name ?? 'text';
      const min = typeof s.minLength === 'number' ? s.minLength : 0;
      return text.padEnd(min, 'x');
    }
    case 'integer':
    case 'number': {
      const n = field === undefined ? NaN : Number(field);
      if (Number.isFinite(n) && (type === 'number' || Number.isInteger(n))) return n;
      if (typeof s.minimum === 'number') return type === 'integer' ? Math.ceil(s.minimum) : s.minimum;
      if (typeof s.exclusiveMinimum === 'number') return Math.floor(s.exclusiveMinimum) + 1;
      return 0;
    }
    case 'boolean':
      return field === undefined ? false : /^(true|yes|1)$/i.test(field);
    default:
      return null;
  }
}
