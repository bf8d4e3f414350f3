import type { TenantGuard } from './tenants.js';

/**
 * What every action family is built with: the engine's store (the families keep their tables
 * in the same SQLite file, through connections of their own) and the tenant guard each action
 * that keeps data per tenant calls first.
 */
export interface StdlibEnv {
  /** The engine's store path, or `:memory:` (then each family gets a private database). */
  readonly store: string;
  readonly tenants: TenantGuard;
  /**
   * The engine's clock (ms since the epoch), for deadlines an action keeps itself (a question's
   * timeout): pass the engine's clock to `standardActions` so a ManualClock moves them too.
   * Absent: the system clock.
   */
  now?(): number;
}
