/** The kinds of workflow of DESIGN §5. */
export type WorkflowKind = 'system' | 'user' | 'agent';

/** What started a run. */
export type Trigger =
  | { type: 'manual'; by?: string }
  | { type: 'api' }
  /**
   * `event.id`: the event's number in its tenant (what `deliverEvent` returned; in runs started
   * before schema 6, the store's row id). `depth`: how many event-started runs led to this one
   * (1 = started by an event that no run emitted, or by one a manually started run emitted).
   * `root`: the store's row id of the chain's first event (this event's, when no run emitted
   * it); without it (a trigger the host built), the run's emits are a chain of their own, as a
   * manual run's are. See `maxEventDepth` and `maxChainRuns`.
   */
  | { type: 'event'; event: { id: number; type: string }; depth?: number; root?: number }
  | { type: 'schedule'; cron: string };

/**
 * The host-only context of a run (DESIGN §4). It never enters the sandbox: the engine hands it
 * to every action call, for authorization and to scope data (a tenant's kv is not another's).
 */
export interface RunContext {
  readonly runId: string;
  readonly tenant: string;
  readonly user: { readonly id: string; readonly roles: readonly string[] };
  /** What the run may do, e.g. `kv:read`, `kv:*`, `*`. */
  readonly permissions: readonly string[];
  readonly workflow: {
    readonly id: string;
    readonly name: string;
    readonly kind: WorkflowKind;
    readonly version: number;
    readonly codeHash: string;
  };
  readonly trigger: Trigger;
  /** When the run was started (ms since epoch); also the start of its logical clock. */
  readonly startedAt: number;
  /** When the run must be over (ms since epoch), or null. */
  readonly deadline: number | null;
}

/** Whether `granted` covers `needed`: exact, `ns:*` for a namespace, or `*` for everything. */
export function hasPermission(granted: readonly string[], needed: string | null): boolean {
  if (needed === null) return true;
  for (const p of granted) {
    if (p === '*' || p === needed) return true;
    if (p.endsWith(':*') && needed.startsWith(p.slice(0, -1))) return true;
  }
  return false;
}
