import { parseArgs, type ParseArgsConfig } from 'node:util';
// Light imports only: usage errors and --help must not wait for the engine, SQLite and
// isolated-vm to load.
import { UsageError } from '../errors.js';
import type { Durability } from '../journal/store.js';
import { durationMs } from '../sandbox/shared.js';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;
export type Values = Record<string, string | boolean | undefined>;

/** Options every command takes. */
export const globalOptions = {
  store: { type: 'string' },
  actions: { type: 'string' },
  tenant: { type: 'string' },
  permissions: { type: 'string' },
  durability: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies OptionSpec;

/** The global options, resolved. */
export interface GlobalOptions {
  store: string;
  /** Extra action catalog module, or null. */
  actions: string | null;
  tenant: string;
  /** Whether --tenant was given (listings filter by tenant only then). */
  tenantGiven: boolean;
  permissions: string[];
  durability: Durability;
}

export function resolveGlobals(values: Values): GlobalOptions {
  const durability = (values.durability as string | undefined) ?? 'process';
  if (durability !== 'process' && durability !== 'power') throw new UsageError(`--durability must be process or power, got ${JSON.stringify(durability)}`);
  const tenant = values.tenant as string | undefined;
  if (tenant === '') throw new UsageError('--tenant must not be empty');
  const permissions = ((values.permissions as string | undefined) ?? '*').split(',').map((p) => p.trim()).filter((p) => p !== '');
  const store = (values.store as string | undefined) ?? './alice.db';
  if (store === '') throw new UsageError('--store must be a file path');
  return { store, actions: (values.actions as string | undefined) ?? null, tenant: tenant ?? 'default', tenantGiven: tenant !== undefined, permissions, durability };
}

const takesValue = new Set(Object.entries(globalOptions).filter(([, o]) => o.type === 'string').map(([name]) => name));

/**
 * Finds the command word: the first argument that is neither an option nor the value of a
 * global option, so `alice --store x.db runs` and `alice runs --store x.db` both work.
 */
export function splitCommand(argv: readonly string[]): { command: string | null; rest: string[] } {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') break;
    if (a.startsWith('--')) {
      if (!a.includes('=') && takesValue.has(a.slice(2))) i++;
      continue;
    }
    if (a.startsWith('-') && a.length > 1) continue;
    return { command: a, rest: [...argv.slice(0, i), ...argv.slice(i + 1)] };
  }
  return { command: null, rest: [...argv] };
}

/** parseArgs with the global and the command's options; its errors become usage errors. */
export function parseCommandLine(command: string, args: string[], options: OptionSpec): { values: Values; positionals: string[] } {
  try {
    const parsed = parseArgs({ args, options: { ...globalOptions, ...options }, strict: true, allowPositionals: true });
    return { values: parsed.values as Values, positionals: parsed.positionals };
  } catch (err) {
    // Node's own text for an unknown option tells how to pass a positional that starts with
    // '-' (with an unbalanced quote); what a person or an LLM needs is the options there are.
    const unknown = /^Unknown option '([^']+)'/.exec((err as Error).message);
    if ((err as NodeJS.ErrnoException).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && unknown !== null) {
      const own = Object.keys(options).map((name) => `--${name}`);
      const takes = own.length === 0 ? 'takes only the global options' : `takes ${own.join(', ')} and the global options`;
      throw new UsageError(`unknown option '${unknown[1]}': alice ${command} ${takes} (see alice ${command} --help)`);
    }
    const message = (err as Error).message.replace(/\s*\n\s*/g, ' ');
    throw new UsageError(`${message} (see alice ${command} --help)`);
  }
}

/** Exactly `names.length` positionals, or a usage error that names the missing one. */
export function expectPositionals(command: string, positionals: string[], names: string[]): string[] {
  if (positionals.length < names.length) throw new UsageError(`${command} needs ${names[positionals.length]} (see alice ${command} --help)`);
  if (positionals.length > names.length) throw new UsageError(`${command}: unexpected argument ${JSON.stringify(positionals[names.length])} (see alice ${command} --help)`);
  return positionals;
}

/** A JSON option value, or a usage error that quotes the option. */
export function jsonOption(name: string, text: string | undefined, fallback: unknown): unknown {
  if (text === undefined) return fallback;
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new UsageError(`--${name} is not valid JSON (${(err as Error).message}); quote it for the shell, e.g. --${name} '{"key":"value"}'`);
  }
}

export function durationOption(name: string, text: string | undefined, fallback: string): number {
  try {
    return durationMs(text ?? fallback);
  } catch (err) {
    throw new UsageError(`--${name}: ${(err as Error).message}`);
  }
}

export function integerOption(name: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(text)}`);
  return n;
}
