import { terminalSafe } from '../engine/log.js';
import { AliceError, ErrorCodes } from '../errors.js';

/**
 * The CLI's exit codes (docs/cli.md lists them). Scripts branch on them, so they never change
 * meaning.
 */
export const ExitCode = {
  /** The command did what was asked; for `run`, the run completed. */
  ok: 0,
  /** The run failed or was cancelled, or the command failed (not found, terminal, bad bundle). */
  failed: 1,
  /** The command line is wrong: unknown command or option, missing or malformed argument. */
  usage: 2,
  /** `run` left the run suspended (waiting for an event, or for a time past `--wait`). */
  suspended: 3,
  /** The store cannot be used: corrupt, locked, not an Alice store, or from a newer Alice. */
  storeUnavailable: 4,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** The exit code an error leads to. */
export function exitCodeOf(err: unknown): ExitCode {
  if (!(err instanceof AliceError)) return ExitCode.failed;
  switch (err.code) {
    case ErrorCodes.USAGE:
      return ExitCode.usage;
    case ErrorCodes.STORE_UNAVAILABLE:
    case ErrorCodes.STORE_VERSION:
      return ExitCode.storeUnavailable;
    default:
      return ExitCode.failed;
  }
}

/**
 * One line for stderr: the message of an Alice error (it says what, where and what to do), or
 * a short note for anything unexpected. Never a stack trace unless ALICE_DEBUG is set.
 */
export function errorLine(err: unknown): string {
  if (process.env.ALICE_DEBUG && err instanceof Error && err.stack) return `alice: ${err.stack}`;
  const message = err instanceof Error ? err.message : String(err);
  // Messages quote what bundles wrote (a forged code hash, action names, hosts).
  const oneLine = terminalSafe(message.replace(/\s*\n\s*/g, ' ').trim());
  if (err instanceof AliceError) return `alice: ${oneLine}`;
  return `alice: internal error: ${oneLine} (set ALICE_DEBUG=1 to see where)`;
}
