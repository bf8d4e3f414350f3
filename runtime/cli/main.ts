#!/usr/bin/env -S node --no-node-snapshot
/**
 * `alice`: the command line of the Alice workflow engine. See docs/cli.md.
 *
 * @example
 * alice run examples/order-flow --input '{"orderId":"A-1","items":[{"sku":"book","qty":2}]}'
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { terminalSafeLines } from '../engine/log.js';
import { UsageError } from '../errors.js';
import { parseCommandLine, resolveGlobals, splitCommand } from './args.js';
import { globalHelp, type Command, type Io } from './command.js';
import { commands } from './commands/index.js';
import { ExitCode, errorLine, exitCodeOf } from './exit.js';

function mainHelp(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return `Usage: alice COMMAND [options]

Alice runs durable workflows: every action call is journaled, so a run survives crashes and
restarts without doing a step twice.

Commands:
${commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

${globalHelp}

Exit codes: 0 ok, 1 run failed/cancelled or command failed, 2 usage error,
3 run left suspended, 4 store unavailable.
Run \`alice COMMAND --help\` for a command's options. Documentation: docs/cli.md`;
}

function version(): string {
  // Walk up to the package root: the same code runs from runtime/cli and from dist/runtime/cli.
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'alice') return pkg.version ?? 'unknown';
    }
    dir = dirname(dir);
  }
  return 'unknown';
}

/** Whether Node was started with --no-node-snapshot, on its command line or in NODE_OPTIONS. */
function noNodeSnapshot(): boolean {
  return [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].includes('--no-node-snapshot');
}

/** The command `main` ran, once it has found it. */
let ran: Command | undefined;

/** Runs one command line; returns the exit code. Never throws. */
async function main(argv: readonly string[], io: Io): Promise<number> {
  try {
    const { command: name, rest } = splitCommand(argv);
    if (name === null || name === 'help') {
      const topic = name === 'help' ? commands.find((c) => c.name === rest.find((a) => !a.startsWith('-'))) : undefined;
      if (topic !== undefined) {
        io.out(topic.help);
        return ExitCode.ok;
      }
      if (rest.includes('--version') || rest.includes('-v')) {
        io.out(version());
        return ExitCode.ok;
      }
      if (name === 'help' || rest.includes('--help') || rest.includes('-h')) {
        io.out(mainHelp());
        return ExitCode.ok;
      }
      io.err(mainHelp());
      return ExitCode.usage;
    }
    const command = commands.find((c) => c.name === name);
    if (command === undefined) {
      throw new UsageError(`unknown command ${JSON.stringify(name)}; the commands are ${commands.map((c) => c.name).join(', ')} (see alice --help)`);
    }
    ran = command;
    const { values, positionals } = parseCommandLine(command.name, rest, command.options);
    if (values.help === true) {
      io.out(command.help);
      return ExitCode.ok;
    }
    if (command.nodeSnapshot !== true && !noNodeSnapshot()) {
      // isolated-vm under Node's startup snapshot can crash the process mid-run; refuse first.
      throw new UsageError(`alice ${command.name} loads the engine and its isolated-vm sandbox, which need Node started with --no-node-snapshot: run it as \`alice ${command.name}\` (the launcher, runtime/cli/alice, adds the flag) or as \`node --no-node-snapshot ${process.argv[1] ?? 'main.js'} ${command.name} …\``);
    }
    return await command.run({ globals: resolveGlobals(values), values, positionals, io });
  } catch (err) {
    io.err(errorLine(err));
    return exitCodeOf(err);
  }
}

/**
 * Every line the CLI prints is made safe for a terminal here, once: much of it quotes what
 * workflows wrote (outputs, questions, event types, forged manifests), and a command that forgot
 * to escape one field would let a bundle move the cursor or forge a line of its own.
 */
const io: Io = {
  out: (line) => void process.stdout.write(`${terminalSafeLines(line)}\n`),
  err: (line) => void process.stderr.write(`${terminalSafeLines(line)}\n`),
  stderrIsTTY: process.stderr.isTTY === true,
};

// The engine reports trouble it recovers from (a worker pass that met a lock) as a process
// warning; Node's default printer adds its pid and a --trace-warnings note. One line, as errors.
process.removeAllListeners('warning');
process.on('warning', (warning) => io.err(process.env.ALICE_DEBUG && warning.stack ? `alice: ${warning.stack}` : `alice: warning: ${warning.message}`));

// `alice log RUN | head` closes the pipe early; that is not an error worth a stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(ExitCode.ok);
  throw err;
});

const code = await main(process.argv.slice(2), io);
process.exitCode = code;
if (ran?.exitWhenDone === true) {
  // Each stream calls back once what was written before has gone out; 'exit' handlers (the
  // TypeScript code cache) still run.
  await Promise.all([process.stdout, process.stderr].map((stream) => new Promise<void>((resolve) => stream.write('', () => resolve()))));
  process.exit(code);
}
