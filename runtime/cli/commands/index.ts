import type { Command } from '../command.js';
import { answerCommand, chatCommand, kbCommand, questionsCommand, tenantsCommand } from './assistant.js';
import { catalogCommand } from './catalog.js';
import { checkCommand } from './check.js';
import { compileCommand } from './compile.js';
import { cancelCommand, eventCommand } from './control.js';
import { logCommand, runsCommand, showCommand } from './inspect.js';
import { runCommand } from './run.js';
import { typesCommand } from './types.js';
import { workerCommand } from './worker.js';

/** Every `alice` command, in the order `alice --help` lists them. */
export const commands: readonly Command[] = [
  runCommand, workerCommand, runsCommand, showCommand, logCommand, cancelCommand, eventCommand, checkCommand, compileCommand, typesCommand,
  catalogCommand, chatCommand, kbCommand, answerCommand, questionsCommand, tenantsCommand,
];
