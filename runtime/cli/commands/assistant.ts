/**
 * The commands of Alice the assistant: chat with the knowledge base, feed it documents, answer
 * the questions workflows ask people, and manage tenants. Each runs a system workflow (or the
 * stdlib's host API) on the store, like any other run.
 */
import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { AliceError, ErrorCodes, UsageError } from '../../errors.js';
import { durationOption, expectPositionals, jsonOption } from '../args.js';
import { globalHelp, withEngine, type Command, type Io } from '../command.js';
import { ExitCode } from '../exit.js';
import { report, work } from './run.js';

/** The stdlib's host side, loaded only by these commands. */
async function stdlib() {
  const [lib, workflows] = await Promise.all([import('../../../stdlib/index.js'), import('../../../stdlib/workflows/index.js')]);
  return { ...lib, ...workflows };
}

const llmHelp = `The LLM is any OpenAI-compatible endpoint: set ALICE_LLM_BASE_URL, ALICE_LLM_API_KEY and
ALICE_LLM_MODEL (docs/stdlib/llm.md).`;

export const chatCommand: Command = {
  name: 'chat',
  summary: 'ask Alice a question: the chat workflow answers from the knowledge base, citing sources',
  help: `Usage: alice chat MESSAGE [--conversation ID] [--user ID] [--wait DURATION] [--json]

Runs the system chat workflow (alice.chat) for the message: it posts it to the conversation,
searches the knowledge base, asks the LLM with the passages it found, and posts the answer with
the sources it cites. Prints the answer, then the sources.

${llmHelp}

Options:
  --conversation ID     the conversation (default "cli"); earlier turns are sent along
  --user ID             who is chatting (default $USER, else "cli"); a conversation is its user's
  --wait DURATION       how long to wait for LLM retries (default 2m)
  --json                print {runId, status, output, error} on stdout

${globalHelp}

Example:
  alice kb add docs/refunds.md && alice chat "How long do customers have to ask for a refund?"`,
  options: { conversation: { type: 'string' }, user: { type: 'string' }, wait: { type: 'string' }, json: { type: 'boolean' } },
  async run({ globals, values, positionals, io }) {
    const [text] = expectPositionals('chat', positionals, ['MESSAGE']);
    if (text.trim() === '') throw new UsageError('chat needs a message that is not empty');
    const waitMs = durationOption('wait', values.wait as string | undefined, '2m');
    const user = (values.user as string | undefined) ?? process.env.USER ?? 'cli';
    const conversation = (values.conversation as string | undefined) ?? 'cli';
    const lib = await stdlib();
    return withEngine(globals, async (engine) => {
      const { chat } = await lib.installSystemWorkflows(engine);
      const run = engine.start(chat.id, { input: { conversation, text }, tenant: globals.tenant, user: { id: user }, trigger: { type: 'manual', by: 'cli' } });
      const info = await work(engine, run.id, waitMs);
      if (values.json === true || info.status !== 'completed') return report(engine, info, values.json === true, io);
      const out = info.output as { answer: string; sources: Array<{ id: string; title: string }> };
      io.out(out.answer);
      if (out.sources.length > 0) {
        io.out('');
        io.out('Sources:');
        for (const s of out.sources) io.out(`  ${s.id}  ${s.title}`);
      }
      return ExitCode.ok;
    });
  },
};

export const kbCommand: Command = {
  name: 'kb',
  summary: 'the knowledge base: add a file or URL (through the updater workflow), search, remove',
  help: `Usage: alice kb add FILE_OR_URL [--id ID] [--title TITLE] [--wait DURATION] [--json]
       alice kb search QUERY [--limit N] [--json]
       alice kb remove ID

add     sends a kb.document event; the system updater workflow (alice.kb-updater) starts for
        it, fetches a URL with http.request (the URL's host is granted to the updater: a new
        version of it), cuts the text into chunks and adds each with kb.add. Adding the same
        document again changes nothing; a changed one replaces its chunks.
search  ranks the tenant's chunks for the words of QUERY (what the chat workflow retrieves).
remove  removes a document's chunks (ID as given to add).

Options:
  --id ID               the document's id (default: the file's name, or the URL)
  --title TITLE         its title (default: the id)
  --wait DURATION       add: how long to wait for the updater's retries (default 2m)
  --limit N             search results (default 5)
  --json                machine-readable output

${globalHelp}

Example:
  alice kb add docs/refunds.md --title "Refund policy"`,
  options: { id: { type: 'string' }, title: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' }, wait: { type: 'string' } },
  async run({ globals, values, positionals, io }) {
    const [verb, ...rest] = positionals;
    switch (verb) {
      case 'add': {
        const [target] = expectPositionals('kb add', rest, ['FILE_OR_URL']);
        return kbAdd(globals, target, values, io);
      }
      case 'search': {
        const [query] = expectPositionals('kb search', rest, ['QUERY']);
        const limit = values.limit === undefined ? 5 : Number(values.limit);
        if (!Number.isInteger(limit) || limit < 1 || limit > 50) throw new UsageError('--limit must be a whole number from 1 to 50');
        const lib = await stdlib();
        return withEngine(globals, async () => {
          const table = new lib.KbTable(globals.store);
          try {
            const { hits } = table.search(globals.tenant, { query, limit });
            if (values.json === true) io.out(JSON.stringify({ hits }));
            else if (hits.length === 0) io.out('no matches');
            else for (const h of hits) io.out(`${h.id}  ${h.title ?? ''}\n    ${h.snippet.replace(/\s+/g, ' ')}`);
          } finally {
            table.close();
          }
          return ExitCode.ok;
        });
      }
      case 'remove': {
        const [id] = expectPositionals('kb remove', rest, ['ID']);
        const lib = await stdlib();
        return withEngine(globals, async () => {
          const table = new lib.KbTable(globals.store);
          const kv = new lib.KvTable(globals.store);
          try {
            // The updater stores a document as chunks ID#1, ID#2, …; a document added by
            // kb.add directly is ID itself.
            let removed = table.remove(globals.tenant, id) ? 1 : 0;
            for (let n = 1; table.remove(globals.tenant, `${id}#${n}`); n++) removed++;
            kv.delete(cliContext(globals.tenant), `kb-chunks:${id}`);
            if (removed === 0) throw new AliceError(ErrorCodes.NOT_FOUND, `the knowledge base of tenant ${globals.tenant} has no document ${JSON.stringify(id)}`);
            io.out(`removed ${id} (${removed} chunk${removed === 1 ? '' : 's'})`);
          } finally {
            table.close();
            kv.close();
          }
          return ExitCode.ok;
        });
      }
      default:
        throw new UsageError(`kb needs add, search or remove${verb === undefined ? '' : `, not ${JSON.stringify(verb)}`} (see alice kb --help)`);
    }
  },
};

/** A host-side context for the stdlib's tables, as the CLI's local owner. */
function cliContext(tenant: string) {
  return { runId: 'cli', tenant, user: { id: 'cli', roles: [] }, permissions: ['*'], workflow: { id: 'cli', name: 'cli', kind: 'system' as const, version: 0, codeHash: '' }, trigger: { type: 'manual' as const, by: 'cli' }, startedAt: Date.now(), deadline: null };
}

async function kbAdd(globals: Parameters<Command['run']>[0]['globals'], target: string, values: Parameters<Command['run']>[0]['values'], io: Io): Promise<ExitCode> {
  const isUrl = /^https?:\/\//i.test(target);
  const document: { id: string; title?: string; text?: string; url?: string } = { id: (values.id as string | undefined) ?? (isUrl ? target : basename(target)) };
  if (values.title !== undefined) document.title = values.title as string;
  const lib = await stdlib();
  if (isUrl) {
    try {
      new URL(target);
    } catch {
      throw new UsageError(`kb add: ${JSON.stringify(target)} is not a URL`);
    }
    document.url = target;
  } else {
    let stat;
    try {
      stat = statSync(target);
    } catch {
      throw new UsageError(`kb add: cannot read ${target}: no such file (give a file path or an http(s) URL)`);
    }
    if (!stat.isFile()) throw new UsageError(`kb add: ${target} is not a file; add the documents in it one by one`);
    if (stat.size > 512 * 1024) throw new UsageError(`kb add: ${target} is ${stat.size} bytes; split files over 512 KiB before adding them`);
    let bytes: Buffer;
    try {
      bytes = readFileSync(target);
    } catch (err) {
      throw new UsageError(`kb add: cannot read ${target} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
    try {
      document.text = text.decode(bytes);
    } catch {
      throw new UsageError(`kb add: ${target} is not UTF-8 text; convert it to text first`);
    }
  }
  return withEngine(globals, async (engine) => {
    await lib.installSystemWorkflows(engine, { kbHosts: isUrl ? [lib.hostPatternOf(target)] : [] });
    const event = engine.deliverEvent(lib.kbDocumentEvent, document, { tenant: globals.tenant });
    if (event.started.length === 0) {
      const why = event.refused.map((r) => `${r.workflow}: ${r.message}`).join('; ');
      throw new AliceError(ErrorCodes.USAGE, `kb add: the updater did not start${why === '' ? '' : ` (${why})`}`);
    }
    const info = await work(engine, event.started[0], durationOption('wait', values.wait as string | undefined, '2m'));
    if (values.json === true || info.status !== 'completed') return report(engine, info, values.json === true, io);
    const out = info.output as { id: string; chunks: number; added: number; updated: number; unchanged: number; removed: number };
    io.out(`${out.id}: ${out.chunks} chunk${out.chunks === 1 ? '' : 's'} (${out.added} added, ${out.updated} updated, ${out.unchanged} unchanged, ${out.removed} removed)`);
    return ExitCode.ok;
  });
}

export const answerCommand: Command = {
  name: 'answer',
  summary: 'answer a question a workflow asked (human.ask) and wake its run',
  help: `Usage: alice answer RUN STEP --data JSON [--user ID]

Records the answer to the question the run asked at STEP (human.ask) and wakes the run; a
worker (or \`alice run\` waiting) resumes it, and the step returns the answer with who gave it.
The answer must fit the question's schema; a question assigned to someone may only be answered
by them; an answer is final. List open questions with \`alice questions\`.

Options:
  --data JSON           the answer (e.g. '{"approved":true}')
  --user ID             who answers (default $USER, else "cli"); recorded in the journal and log

${globalHelp}

Example:
  alice answer 3f0c1c9e-8a5e-4a8e-9a51-0d6b1f0a2b7c 2 --data '{"approved":true}'`,
  options: { data: { type: 'string' }, user: { type: 'string' } },
  async run({ globals, values, positionals, io }) {
    const [runId, stepText] = expectPositionals('answer', positionals, ['RUN', 'STEP']);
    const step = Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new UsageError(`answer: STEP must be a step number (1, 2, …), got ${JSON.stringify(stepText)}`);
    if (values.data === undefined) throw new UsageError('answer needs --data JSON (the answer)');
    const data = jsonOption('data', values.data as string, null);
    const by = (values.user as string | undefined) ?? process.env.USER ?? 'cli';
    const lib = await stdlib();
    return withEngine(globals, async (engine) => {
      const desk = new lib.HumanDesk(globals.store);
      try {
        engine.getRun(runId);
        const q = desk.answer(engine, { runId, step, data, by });
        io.out(`answered step ${q.step} of run ${q.runId} as ${by}; run \`alice worker\` (or wait for yours) to resume it`);
        return ExitCode.ok;
      } catch (err) {
        if (err instanceof lib.HumanAnswerError) {
          io.err(`alice: ${err.message}`);
          return ExitCode.failed;
        }
        throw err;
      } finally {
        desk.close();
      }
    });
  },
};

export const questionsCommand: Command = {
  name: 'questions',
  summary: 'list the questions workflows asked people (human.ask)',
  help: `Usage: alice questions [--all] [--json]

Lists the open questions (--all: answered, expired and closed ones too), newest first, with the
run and step to answer them by (\`alice answer RUN STEP --data JSON\`).

Options:
  --all                 every question, not only open ones
  --json                one JSON object per line

${globalHelp}`,
  options: { all: { type: 'boolean' }, json: { type: 'boolean' } },
  async run({ globals, values, positionals, io }) {
    expectPositionals('questions', positionals, []);
    const lib = await stdlib();
    return withEngine(globals, async () => {
      const desk = new lib.HumanDesk(globals.store);
      try {
        const list = desk.list({ status: values.all === true ? undefined : 'open', tenant: globals.tenantGiven ? globals.tenant : undefined });
        for (const q of list) {
          if (values.json === true) io.out(JSON.stringify(q));
          else io.out(`${q.runId} ${q.step}  ${q.status}${q.assignee === null ? '' : ` (for ${q.assignee})`}  ${q.question}${q.answeredBy === null ? '' : `  → ${JSON.stringify(q.answer)} by ${q.answeredBy}`}`);
        }
        if (list.length === 0 && values.json !== true) io.err(values.all === true ? 'no questions' : 'no open questions');
      } finally {
        desk.close();
      }
      return ExitCode.ok;
    });
  },
};

export const tenantsCommand: Command = {
  name: 'tenants',
  summary: 'list, add or remove the tenants the standard actions serve',
  help: `Usage: alice tenants [list]
       alice tenants add ID [--name NAME]
       alice tenants remove ID

The standard actions serve only registered tenants ("default" always is): a run of another
tenant gets ALICE_UNKNOWN_TENANT from them. Removing a tenant keeps its data.

Options:
  --name NAME           a display name for add

${globalHelp}`,
  options: { name: { type: 'string' } },
  async run({ globals, values, positionals, io }) {
    const [verb = 'list', ...rest] = positionals;
    const lib = await stdlib();
    return withEngine(globals, async () => {
      const tenants = new lib.TenantDirectory(globals.store);
      try {
        switch (verb) {
          case 'list':
            expectPositionals('tenants list', rest, []);
            for (const t of tenants.list()) io.out(`${t.id}${t.name === t.id ? '' : `  ${t.name}`}`);
            return ExitCode.ok;
          case 'add': {
            const [id] = expectPositionals('tenants add', rest, ['ID']);
            try {
              tenants.add(id, (values.name as string | undefined) ?? id);
            } catch (err) {
              throw new UsageError(`tenants add: ${(err as Error).message}`);
            }
            io.out(`tenant ${id} registered`);
            return ExitCode.ok;
          }
          case 'remove': {
            const [id] = expectPositionals('tenants remove', rest, ['ID']);
            if (!tenants.remove(id)) throw new AliceError(ErrorCodes.NOT_FOUND, `tenant ${JSON.stringify(id)} is not registered`);
            io.out(`tenant ${id} removed (its data stays)`);
            return ExitCode.ok;
          }
          default:
            throw new UsageError(`tenants needs list, add or remove, not ${JSON.stringify(verb)} (see alice tenants --help)`);
        }
      } finally {
        tenants.close();
      }
    });
  },
};


