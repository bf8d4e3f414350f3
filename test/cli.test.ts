import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, cliWorkspace, type CliResult } from './support/cli.js';

const root = join(import.meta.dirname, '..');
const examples = join(root, 'examples');

type Result = CliResult;

// `alice(...)` runs in the test's temp dir, so the default ./alice.db is the temp store.
const ws = cliWorkspace('alice-cli-');
const { alice } = ws;

/** An error report: one line on stderr, starting with "alice: ", never a stack trace. */
function expectOneLineError(r: Result, pattern: RegExp): void {
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^alice: /);
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

const runIdPattern = /run ([0-9a-f-]{36})/;
const order = (orderId: string) => JSON.stringify({ orderId, email: 'ann@example.com', items: [{ sku: 'book', qty: 2 }] });
const reminder = (invoiceId: string, delay = '1h') => JSON.stringify({ invoiceId, userId: 'u-1', delay, grace: '3d' });


describe('alice run', () => {
  it('runs the order example through its retry and prints the output JSON, with a progress line per step', () => {
    const r = alice('run', join(examples, 'order-flow'), '--input', order('A-1'), '--progress');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ orderId: 'A-1', status: 'confirmed', total: 2500, currency: 'EUR' });
    expect(r.stderr).toMatch(/#1 inventory\.reserve done/);
    expect(r.stderr).toMatch(/#2 payments\.charge attempt 1 failed: payment gateway timed out/);
    expect(r.stderr).toMatch(/#2 payments\.charge done/);
    expect(r.stderr).toMatch(/#3 email\.send done/);
  });

  it('runs the fan-out example to its aggregate', () => {
    const urls = ['https://a.example/1', 'https://b.example/2', 'https://c.example/3'];
    const r = alice('run', join(examples, 'fan-out'), '--input', JSON.stringify({ urls, mirrors: ['https://m1.example/x', 'https://m2.example/x'] }), '--json');
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result).toMatchObject({ status: 'completed', output: { pages: 3, titles: [expect.stringMatching(/^a\.example/), expect.any(String), expect.any(String)] } });
    expect(['https://m1.example/x', 'https://m2.example/x']).toContain(result.output.fastestMirror);
  });

  it('leaves a sleeping reminder suspended with exit 3, naming the run and its wake time', () => {
    const r = alice('run', join(examples, 'reminder'), '--input', reminder('INV-1'));
    expect(r.code, r.stderr).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(runIdPattern);
    expect(r.stderr).toMatch(/suspended, waiting for \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/);
  });

  it('accepts a single-file bundle {script, manifest}', () => {
    const file = join(ws.dir, 'hello.json');
    writeFileSync(file, JSON.stringify({ script: 'export default async (input, actions) => ({ hello: input.name })', manifest: { name: 'hello', kind: 'user', actions: [] } }));
    const r = alice('run', file, '--input', '{"name":"Ann"}');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ hello: 'Ann' });
  });

  it('exits 1 with the error code when the run fails', () => {
    const file = join(ws.dir, 'boom.json');
    writeFileSync(file, JSON.stringify({ script: 'export default async () => { throw new Error("boom") }', manifest: { name: 'boom', kind: 'user', actions: [] } }));
    const r = alice('run', file);
    expect(r.code).toBe(1);
    expectOneLineError(r, /run [0-9a-f-]{36} failed: ALICE_WORKFLOW_ERROR: boom/);
  });

  it('adds the actions of an --actions module to the catalog', () => {
    const mod = join(ws.dir, 'my-actions.mjs');
    writeFileSync(mod, `import { defineAction } from ${JSON.stringify(join(root, 'dist', 'runtime', 'index.js'))};
export const actions = [defineAction({ name: 'greet.hello', input: { type: 'object', properties: { name: { type: 'string' } } }, run: ({ name }) => 'hello ' + name })];`);
    const file = join(ws.dir, 'greet.json');
    writeFileSync(file, JSON.stringify({ script: 'export default async (input, actions) => actions.greet.hello({ name: input })', manifest: { name: 'greet', kind: 'user', actions: ['greet.hello'] } }));
    const r = alice('run', file, '--actions', mod, '--input', '"Bob"');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toBe('hello Bob');
  });
});

describe('alice runs, show, log', () => {
  let runId: string;

  beforeAll(() => {
    // The CLI's standard actions serve registered tenants only (email.send refuses others).
    expect(alice('tenants', 'add', 'acme', '--name', 'Acme Corp').stdout).toBe('tenant acme registered\n');
    const r = alice('run', join(examples, 'order-flow'), '--input', order('A-2'), '--json', '--tenant', 'acme');
    expect(r.code, r.stderr).toBe(0);
    runId = JSON.parse(r.stdout).runId;
  }, 60_000);

  it('lists runs, filtered by status and tenant; --json gives one run per line', () => {
    const table = alice('runs');
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^RUN\s+WORKFLOW\s+STATUS\s+TENANT\s+CREATED\s+WAKE$/);
    expect(table.stdout).toContain(runId);

    const suspended = alice('runs', '--status', 'suspended', '--json');
    const rows = suspended.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.status === 'suspended')).toBe(true);

    const acme = alice('runs', '--tenant', 'acme', '--json').stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(acme.map((r) => r.id)).toContain(runId);
    expect(acme.every((r) => r.tenant === 'acme')).toBe(true);
    expect(table.stdout.split('\n').length).toBeGreaterThan(acme.length + 1);
  });

  it('shows a run with its output and journal', () => {
    const r = alice('show', runId);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/status\s+completed/);
    expect(r.stdout).toMatch(/#2\s+payments\.charge\s+done\s+2 attempts/);
    expect(r.stdout).toContain(`${runId}:3`);
    const json = JSON.parse(alice('show', runId, '--json').stdout);
    expect(json.run).toMatchObject({ id: runId, status: 'completed', tenant: 'acme' });
    expect(json.journal.map((s: { action: string }) => s.action)).toEqual(['inventory.reserve', 'payments.charge', 'email.send']);
  });

  it('prints the log as text, and as JSON lines with --json', () => {
    const text = alice('log', runId);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z state /);
    expect(text.stdout).toMatch(/ attempt\s+#2 /);
    const json = alice('log', runId, '--json');
    const entries = json.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(entries.length).toBe(text.stdout.trim().split('\n').length);
    expect(entries.every((e) => e.runId === runId && typeof e.kind === 'string')).toBe(true);
    expect(entries.filter((e) => e.kind === 'retry')).toHaveLength(1);
    // The card number is a secret field of payments.charge. (Not a bare "4242": random hex ids,
    // such as an email's message id, contain it now and then.)
    expect(json.stdout).not.toContain('4242 4242');
    expect(entries.filter((e) => e.kind === 'step' && e.data.action === 'payments.charge').map((e) => e.data.args.card)).toEqual(['[secret]']);
  });

  it('exits 1 with a clear message for a run that does not exist', () => {
    const r = alice('log', 'no-such-run');
    expect(r.code).toBe(1);
    expectOneLineError(r, /run "no-such-run" not found in store \.\/alice\.db/);
  });
});

describe('alice cancel, event, worker', () => {
  it('cancels a suspended reminder, and refuses a second cancel with exit 1', () => {
    const started = alice('run', join(examples, 'reminder'), '--input', reminder('INV-2'));
    expect(started.code).toBe(3);
    const runId = runIdPattern.exec(started.stderr)![1];
    const first = alice('cancel', runId);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toBe(`run ${runId} cancelled\n`);
    const second = alice('cancel', runId);
    expect(second.code).toBe(1);
    expectOneLineError(second, new RegExp(`run ${runId} is cancelled \\(terminal\\): cancel refused`));
    const shown = JSON.parse(alice('show', runId, '--json').stdout);
    expect(shown.run).toMatchObject({ status: 'cancelled', error: { code: 'ALICE_CANCELLED' } });
  });

  it('wakes a reminder waiting for its event, and a worker finishes it and stops cleanly on SIGTERM', async () => {
    const started = alice('run', join(examples, 'reminder'), '--input', reminder('INV-3', '0s'), '--tenant', 'acme');
    expect(started.code, started.stderr).toBe(3);
    expect(started.stderr).toMatch(/waiting for event invoice\.paid or /);
    const runId = runIdPattern.exec(started.stderr)![1];

    expect(alice('event', 'invoice.paid', '--data', '{"invoiceId":"INV-3"}').stdout).toMatch(/woke 0 runs/); // other tenant
    const event = alice('event', 'invoice.paid', '--data', '{"invoiceId":"INV-3","amount":990}', '--tenant', 'acme');
    expect(event.code, event.stderr).toBe(0);
    expect(event.stdout).toMatch(/^event \d+ \(invoice\.paid\) delivered to tenant acme: woke 1 run\n$/);

    const worker = spawn(process.execPath, ['--no-node-snapshot', cli, 'worker', '--poll', '50ms'], { cwd: ws.dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    worker.stderr.on('data', (d) => (err += d));
    const exited = new Promise<number | null>((resolve) => worker.on('exit', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`worker did not finish the run:\n${out}\n${err}`)), 30_000);
      worker.stdout.on('data', (d) => {
        out += d;
        if (new RegExp(`run ${runId} reminder@\\d+ \\w+ → completed`).test(out)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    worker.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(out).toMatch(/alice worker: SIGTERM received, stopping/);
    expect(out).toMatch(/alice worker: stopped\n$/);
    const shown = JSON.parse(alice('show', runId, '--json').stdout);
    expect(shown.run).toMatchObject({ status: 'completed', output: { invoiceId: 'INV-3', status: 'paid', amount: 990 } });
  }, 60_000);
});

describe('errors', () => {
  it.each([
    [[], /Usage: alice COMMAND/],
    [['frob'], /unknown command "frob"/],
    [['run'], /run needs BUNDLE_OR_FILE/],
    [['run', 'x', '--input', '{bad'], /--input is not valid JSON/],
    [['runs', '--bogus'], /unknown option '--bogus': alice runs takes --status, --workflow, --limit, --json and the global options/],
    [['runs', '--status', 'sleeping'], /--status must be one of/],
    [['--durability', 'fast', 'runs'], /--durability must be process or power/],
    [['log'], /log needs RUN/],
    [['event', 'x', '--data', 'nope'], /--data is not valid JSON/],
    [['worker', '--poll', 'soon'], /--poll: duration "soon"/],
  ])('exits 2 on the usage error %j', (args, pattern) => {
    const r = alice(...(args as string[]));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(pattern);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('prints help for each command with exit 0', () => {
    for (const command of ['run', 'worker', 'runs', 'show', 'log', 'cancel', 'event']) {
      const r = alice(command, '--help');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Usage: alice ${command}`));
    }
    expect(alice('--help').stdout).toMatch(/Exit codes: 0 ok/);
  });

  it('reports a bad bundle in one line naming the file and the field, with exit 1', () => {
    const bundle = join(ws.dir, 'bad-bundle');
    mkdirSync(bundle, { recursive: true });
    const manifest = join(bundle, 'manifest.json');
    writeFileSync(join(bundle, 'workflow.js'), 'export default async () => 1');

    expectOneLineError(alice('run', join(ws.dir, 'missing')), new RegExp(`${join(ws.dir, 'missing')}: no such file or directory`));
    writeFileSync(manifest, '{"name": "x",');
    expectOneLineError(alice('run', bundle), new RegExp(`${manifest}: not valid JSON`));
    writeFileSync(manifest, JSON.stringify({ name: 'x', kind: 'robot', actions: [] }));
    expectOneLineError(alice('run', bundle), new RegExp(`${manifest}: manifest\\.kind must be one of`));
    writeFileSync(manifest, JSON.stringify({ name: 'x', kind: 'user', actions: ['admin.nuke'] }));
    expectOneLineError(alice('run', bundle), new RegExp(`${manifest}: manifest\\.actions lists admin\\.nuke`));
    writeFileSync(manifest, JSON.stringify({ name: 'x', kind: 'user', actions: [], script: 'main.js' }));
    expectOneLineError(alice('run', bundle), new RegExp(`${join(bundle, 'main.js')}: no such file or directory`));
    const single = join(ws.dir, 'no-script.json');
    writeFileSync(single, JSON.stringify({ manifest: { name: 'x', kind: 'user', actions: [] } }));
    expectOneLineError(alice('run', single), new RegExp(`${single}: bundle\\.script must be`));
    expect(alice('run', bundle).code).toBe(1);
  });

  it('exits 4 on a corrupt store, says so, and leaves the file unchanged', () => {
    const store = join(ws.dir, 'corrupt.db');
    const garbage = Buffer.from(Array.from({ length: 8192 }, (_, i) => (i * 7919 + 13) % 256));
    writeFileSync(store, garbage);
    for (const args of [['runs'], ['run', join(examples, 'order-flow'), '--input', order('A-9')], ['event', 'x']]) {
      const r = alice(...args, '--store', store);
      expect(r.code).toBe(4);
      expectOneLineError(r, /corrupt\.db: the file is not an Alice store or is corrupt .*The file was not changed\./);
    }
    expect(readFileSync(store).equals(garbage)).toBe(true);
  });

  it('exits 4 on an SQLite file that is not an Alice store', () => {
    const store = join(ws.dir, 'other.db');
    const db = new Database(store);
    db.exec('CREATE TABLE customers (id INTEGER PRIMARY KEY)');
    db.close();
    const r = alice('runs', '--store', store);
    expect(r.code).toBe(4);
    expectOneLineError(r, /not an Alice store/);
  });
});

describe('what a newcomer gets wrong', () => {
  it('refuses to check a named file that is not a workflow source, rather than reporting it clean', () => {
    // Before: `alice check workflow.js` printed "1 file checked, no problems" without a rule
    // having read the file.
    const js = ws.write('newcomer/workflow.js', 'export default async () => Date.now();\n');
    const md = ws.write('newcomer/NOTES.md', '# notes\n');
    for (const file of [js, md]) {
      const r = alice('check', file);
      expect(r.code).toBe(2);
      expectOneLineError(r, new RegExp(`${file}: not a workflow source; alice check reads restricted TypeScript \\(\\.ts\\) and the DSL \\(\\.alice\\)`));
    }
  });

  it('exits 2 saying what run takes when the path does not exist or the directory holds nothing to run', () => {
    const missing = join(ws.dir, 'no-such-bundle');
    const r1 = alice('run', missing);
    expect(r1.code).toBe(2);
    expectOneLineError(r1, new RegExp(`${missing}: no such file or directory; alice run takes a workflow source`));
    const empty = join(ws.dir, 'newcomer-empty');
    mkdirSync(empty, { recursive: true });
    const r2 = alice('run', empty);
    expect(r2.code).toBe(2);
    expectOneLineError(r2, new RegExp(`${empty}: the directory holds no manifest\\.json, workflow\\.ts or workflow\\.alice`));
  });

  it('says that no --input was given when the input schema refuses the default null', () => {
    const file = ws.write('needs-input.json', JSON.stringify({
      script: 'export default async (input) => input.name',
      manifest: { name: 'needs-input', kind: 'user', actions: [], inputSchema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] } },
    }));
    const r = alice('run', file);
    expect(r.code).toBe(1);
    expectOneLineError(r, /input of needs-input@\d+: .*; no --input was given: pass the run's input as JSON/);
    // With an --input the schema refuses, the message stays the schema's own.
    const r2 = alice('run', file, '--input', '{"name":5}');
    expect(r2.code).toBe(1);
    expect(r2.stderr).not.toMatch(/no --input/);
  });

  it('exits 2 on `kb add` of a directory, in one line, instead of an internal error', () => {
    const r = alice('kb', 'add', ws.dir);
    expect(r.code).toBe(2);
    expectOneLineError(r, /kb add: .* is not a file; add the documents in it one by one/);
  });

  it('shows where a failed run threw, as run printed it', () => {
    const src = ws.write('newcomer/throws.ts', `import { type Workflow } from "alice";

export const workflow = { name: "newcomer-throws" } satisfies Workflow;

export default async function main(input: { n: number }) {
  if (input.n > 1) {
    throw new Error("too big");
  }
  return input.n;
}
`);
    const r = alice('run', src, '--input', '{"n":5}');
    expect(r.code).toBe(1);
    expectOneLineError(r, /failed: ALICE_WORKFLOW_ERROR: too big at throws\.ts:7:11/);
    const runId = runIdPattern.exec(r.stderr)![1];
    expect(alice('show', runId).stdout).toMatch(/error\s+ALICE_WORKFLOW_ERROR: too big at throws\.ts:7:11 \(reason: error\)/);
  });

  it('gives the position in the script itself when a hand-written bundle without a source map throws (docs/runtime.md, "Where in the source")', () => {
    // Core: runtime/engine/source-positions.ts errorSource returns no `source` without a map,
    // while logSource falls back to `workflow.js:LINE:COLUMN` as the docs promise for both.
    const file = ws.write('no-map.json', JSON.stringify({ script: 'export default async () => {\n  throw new Error("no map");\n}', manifest: { name: 'no-map', kind: 'user', actions: [] } }));
    const r = alice('run', file);
    expect(r.code).toBe(1);
    expectOneLineError(r, /failed: ALICE_WORKFLOW_ERROR: no map at workflow\.js:2:\d+/);
  });
});
