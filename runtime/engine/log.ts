import type { LogRow } from '../journal/store.js';

/** What a log entry records. Every kind is listed; a new kind fails the build where switched on. */
export type LogKind =
  | 'state' // a run's status changed: { from, to, reason? }
  | 'step' // a step completed: { action, args, result | error, attempt }
  | 'attempt' // an attempt failed: { action, attempt, error, retryable }
  | 'retry' // a retry was scheduled: { action, attempt, retryAt }
  | 'pending' // an action answered "call me later": { action, retryAt, event }
  | 'wait' // a sleep or waitForEvent began: { action, until, event }
  | 'refusal' // an action was refused: { action, permission } or { action, reason }
  | 'nondeterminism' // a re-run differed from the journal: { expected, actual }
  | 'log' // a workflow log() line: { index, text }
  | 'limit' // a resource limit was passed: { limit, message }
  | 'error' // the workflow threw: { name, message, code }
  | 'finalize' // an action's finalize ran: { action, ok, error? }
  | 'event'; // an event woke the run: { eventId, type }

/** One log entry as the API returns it. */
export interface LogEntry {
  /** Position in the run's log (1, 2, …): the order in which things happened to the run. */
  id: number;
  runId: string;
  /** The step's sequence number, for step-related entries. */
  step: number | null;
  /** When it happened (ms since epoch, engine clock). */
  at: number;
  kind: LogKind;
  /** How long the step, attempt or finalize took, in ms. */
  durationMs: number | null;
  data: Record<string, unknown>;
}

export function toLogEntry(row: LogRow): LogEntry {
  return {
    id: row.seq,
    runId: row.run_id,
    step: row.step,
    at: row.at,
    kind: row.kind as LogKind,
    durationMs: row.duration_ms,
    data: JSON.parse(row.data) as Record<string, unknown>,
  };
}

export const secretMark = '[secret]';
const maxLoggedChars = 64 * 1024;

/** A copy of an object with its secret top-level fields replaced by a mark. */
export function redact(value: unknown, secret: readonly string[]): unknown {
  if (secret.length === 0 || value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const key of secret) if (key in out) out[key] = secretMark;
  return out;
}

/** Log data as JSON text, cut short (with a note) when it is too large to be useful in a log. */
export function logData(data: Record<string, unknown>): string {
  const text = JSON.stringify(data);
  if (text.length <= maxLoggedChars) return text;
  return JSON.stringify({ truncated: true, chars: text.length, preview: text.slice(0, 4096) });
}

/**
 * Text for a terminal: C0 and C1 control characters and DEL become `\u` escapes, so text that came
 * from a workflow can neither move the cursor, retitle the window, nor forge a line of its own.
 */
export function terminalSafe(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, escaped);
}

const escaped = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * `terminalSafe` for a text of several lines (pretty JSON, an answer of the LLM): its line
 * breaks (`\n`, `\r\n`) and tabs are kept, every other control character is escaped.
 */
export function terminalSafeLines(text: string): string {
  return text.replace(/\r\n/g, '\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, escaped);
}

/** One line of text for `alice log` (the JSON-lines export is `JSON.stringify(entry)`). */
export function formatLogEntry(e: LogEntry): string {
  const time = new Date(e.at).toISOString();
  const step = e.step === null ? '' : ` #${e.step}`;
  const dur = e.durationMs === null ? '' : ` (${e.durationMs.toFixed(2)} ms)`;
  return terminalSafe(`${time} ${e.kind.padEnd(14)}${step}${dur} ${JSON.stringify(e.data)}`);
}
