import { AliceError, ErrorCodes } from '../errors.js';
import type { Engine } from '../index.js';
import type { GlobalOptions, OptionSpec, Values } from './args.js';
import type { ExitCode } from './exit.js';

/** Where a command writes: lines to stdout (results) and stderr (progress, notes, errors). */
export interface Io {
  out(line: string): void;
  err(line: string): void;
  /** Whether stderr is a terminal (progress is shown by default then). */
  readonly stderrIsTTY: boolean;
}

/** A parsed command line, handed to one command. */
export interface Invocation {
  globals: GlobalOptions;
  values: Values;
  positionals: string[];
  io: Io;
}

/** One `alice` command: its help and options, and what it does. */
export interface Command {
  name: string;
  /** One line for `alice --help`. */
  summary: string;
  /** The full text of `alice NAME --help`. */
  help: string;
  options: OptionSpec;
  run(inv: Invocation): Promise<ExitCode>;
  /**
   * Nothing the command started is still running when `run` returns (no engine, no store it
   * writes, no timers): the CLI then exits as soon as its output is flushed, without letting
   * Node tear the heap down first. After a check of 500 files that teardown (TypeScript's
   * program, hundreds of megabytes) took ≈ 0.1 s that nobody waits for.
   */
  exitWhenDone?: boolean;
  /**
   * The command never loads isolated-vm (nor any other module that needs Node's
   * `--no-node-snapshot`), so the launcher (runtime/cli/alice) starts Node with its startup
   * snapshot: ≈ 0.1 s less for every `alice check`. The launcher names these commands itself;
   * test/cli-launcher.test.ts holds the two lists together and checks that the commands load
   * no native addon.
   */
  nodeSnapshot?: boolean;
}

/** Opens the engine for one command and closes it whatever happens. */
export async function withEngine<T>(globals: GlobalOptions, fn: (engine: Engine) => Promise<T>): Promise<T> {
  // Loaded here, not at startup: --help and usage errors answer without loading the engine.
  const { openCliEngine } = await import('./open.js');
  const engine = await openCliEngine(globals);
  try {
    return await fn(engine);
  } catch (err) {
    // "run X not found" most often means the wrong store (a forgotten --store): name it.
    if (err instanceof AliceError && err.code === ErrorCodes.NOT_FOUND) throw new AliceError(err.code, `${err.message} in store ${globals.store}`, { cause: err });
    throw err;
  } finally {
    await engine.close();
  }
}

/** The global options' help, shared by every command's help text. */
export const globalHelp = `Global options:
  --store PATH          the SQLite store (default ./alice.db; created if missing)
  --actions MODULE      extra action catalog: a module exporting \`actions\` or a default array
  --tenant T            tenant of new runs and events (default "default")
  --permissions LIST    comma-separated permissions of new runs (default "*", the local owner)
  --durability MODE     process (default) or power (fsync before each outcome is delivered)
  -h, --help            show help`;
