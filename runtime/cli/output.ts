import { assertNever } from '../errors.js';
import type { LogEntry, RunInfo, StepInfo } from '../index.js';
import { terminalSafe } from '../engine/log.js';

/** A time as ISO 8601 (UTC), or `-` for none. */
export function iso(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '-';
  const d = new Date(ms);
  // A run may sleep past the end of Date's range (±8.64e15 ms): shown as the number it stored.
  return Number.isNaN(d.getTime()) ? `${ms} ms since 1970` : d.toISOString();
}

/** Compact JSON cut to `max` characters, for one-line summaries. */
export function brief(value: unknown, max = 120): string {
  const text = JSON.stringify(value) ?? 'undefined';
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)];
}

/** What a suspended run waits for, in words. */
export function waitingFor(run: RunInfo, events: readonly string[]): string {
  const parts: string[] = [];
  if (events.length > 0) parts.push(`event ${events.join(', ')}`);
  if (run.wakeAt !== null) parts.push(`${events.length > 0 ? 'or ' : ''}${iso(run.wakeAt)}`);
  return parts.length === 0 ? 'nothing (it can only be cancelled)' : parts.join(' ');
}

/** The event types a suspended run waits for, from the log entry that suspended it. */
export function awaitedEvents(log: readonly LogEntry[]): string[] {
  for (let i = log.length - 1; i >= 0; i--) {
    const e = log[i];
    if (e.kind === 'state' && e.data.to === 'suspended') {
      const types = e.data.waitingFor;
      return Array.isArray(types) ? [...new Set(types.map(String))] : [];
    }
  }
  return [];
}

/** `alice runs`: one row per run, newest first. */
export function runsTable(runs: readonly RunInfo[]): string[] {
  return runsTableRaw(runs).map(terminalSafe);
}

function runsTableRaw(runs: readonly RunInfo[]): string[] {
  return table(
    ['RUN', 'WORKFLOW', 'STATUS', 'TENANT', 'CREATED', 'WAKE'],
    runs.map((r) => [r.id, r.workflowId, r.status, r.tenant, iso(r.createdAt), r.status === 'suspended' ? (r.wakeAt === null ? 'on event' : iso(r.wakeAt)) : '']),
  );
}

/** `alice show`: the run, its outcome and its journal. */
export function runDetails(run: RunInfo, journal: readonly StepInfo[], events: readonly string[]): string[] {
  return runDetailsRaw(run, journal, events).map(terminalSafe);
}

function runDetailsRaw(run: RunInfo, journal: readonly StepInfo[], events: readonly string[]): string[] {
  const lines = [
    `run        ${run.id}`,
    `workflow   ${run.workflowId}`,
    `status     ${run.status}`,
    `tenant     ${run.tenant}`,
    `created    ${iso(run.createdAt)}`,
    `updated    ${iso(run.updatedAt)}`,
  ];
  if (run.status === 'suspended') lines.push(`waiting    ${waitingFor(run, events)}`);
  if (run.finalizedAt !== null) lines.push(`finalized  ${iso(run.finalizedAt)}`);
  lines.push(`input      ${brief(run.input, 400)}`);
  if (run.status === 'completed') lines.push(`output     ${brief(run.output, 400)}`);
  if (run.error !== null) lines.push(`error      ${run.error.code}: ${run.error.message}${typeof run.error.source === 'string' ? ` at ${run.error.source}` : ''} (reason: ${run.error.reason})`);
  if (journal.length === 0) {
    lines.push(run.finalizedAt !== null && run.status !== 'pending' ? 'journal    (empty: no step was taken, or purged after retention)' : 'journal    (empty)');
    return lines;
  }
  lines.push('journal');
  const rows = journal.map((s) => [
    `#${s.seq}`,
    s.action,
    s.state,
    `${s.attempts} attempt${s.attempts === 1 ? '' : 's'}`,
    s.idempotencyKey,
    s.state === 'done' ? `→ ${brief(s.result ?? null, 100)}` : s.state === 'error' ? `✗ ${s.error?.code}: ${brief(s.error?.message, 100)}` : s.wakeAt !== null ? `until ${iso(s.wakeAt)}` : 'waiting',
  ]);
  for (const l of table(['STEP', 'ACTION', 'STATE', 'ATTEMPTS', 'IDEMPOTENCY KEY', 'OUTCOME'], rows)) lines.push(`  ${l}`);
  return lines;
}

/**
 * One progress line for a log entry of a run being worked by `alice run`, or null for entries
 * not worth a line. Every kind is listed, so a new kind fails the build here.
 */
export function progressLine(e: LogEntry): string | null {
  const line = progressLineRaw(e);
  return line === null ? null : terminalSafe(line);
}

function progressLineRaw(e: LogEntry): string | null {
  const d = e.data;
  const step = e.step === null ? '' : `#${e.step} `;
  const ms = e.durationMs === null ? '' : ` (${e.durationMs.toFixed(1)} ms)`;
  switch (e.kind) {
    case 'step': {
      const err = d.error as { code?: string; message?: string } | undefined;
      return err === undefined ? `  ${step}${String(d.action)} done${ms}` : `  ${step}${String(d.action)} failed: ${err.code}: ${err.message}${ms}`;
    }
    case 'attempt': {
      const err = d.error as { message?: string } | undefined;
      return `  ${step}${String(d.action)} attempt ${String(d.attempt)} failed: ${err?.message ?? 'error'}${d.retryable ? '' : ' (not retryable)'}`;
    }
    case 'retry':
      return `  ${step}${String(d.action)} retry ${String(d.attempt)} at ${iso(d.retryAt as number)}`;
    case 'pending':
      return `  ${step}${String(d.action)} answered pending${d.retryAt ? ` until ${iso(d.retryAt as number)}` : ''}`;
    case 'wait':
      return `  ${step}${String(d.action)}${d.event ? ` for ${(d.event as { type: string }).type}` : ''}${d.until ? ` until ${iso(d.until as number)}` : ''}`;
    case 'refusal':
      return `  ${step}refused: ${String(d.message ?? d.action)}`;
    case 'nondeterminism':
      return `  ${step}non-determinism: ${String(d.message)}`;
    case 'log':
      return `  log: ${String(d.text)}${typeof d.source === 'string' ? `  (${d.source})` : ''}`;
    case 'limit':
      return `  limit ${String(d.limit)}: ${String(d.message)}`;
    case 'error':
      return `  error: ${String(d.message ?? d.code)}${typeof d.source === 'string' ? ` at ${d.source}` : ''}`;
    case 'state':
      return `run ${e.runId}: ${String(d.from ?? 'new')} → ${String(d.to)}`;
    case 'finalize':
    case 'event':
      return null;
    default:
      return assertNever(e.kind);
  }
}

/** One line for the worker when a run changed status between two looks. */
export function changeLine(run: RunInfo, from: string | null): string {
  return terminalSafe(changeLineRaw(run, from));
}

function changeLineRaw(run: RunInfo, from: string | null): string {
  const head = `${iso(Date.now())} run ${run.id} ${run.workflowId} ${from ?? 'new'} → ${run.status}`;
  switch (run.status) {
    case 'completed':
      return `${head} output ${brief(run.output)}`;
    case 'failed':
    case 'cancelled':
      return `${head} ${run.error?.code ?? ''}: ${brief(run.error?.message ?? '', 200)}`;
    case 'suspended':
      return `${head} until ${run.wakeAt === null ? 'an event' : iso(run.wakeAt)}`;
    case 'pending':
    case 'running':
      return head;
    default:
      return assertNever(run.status);
  }
}
