// Runs ONE hostile-corpus case in a process of its own, for test/hostile/corpus.test.ts.
//
// A hostile bundle may hang the host (block Node's event loop) or crash it; in the test's own
// process that would hang or kill the whole test file. Here it only ends this process, which
// the test reports as the finding it is. Like test/fixtures/crash-worker.mjs, it imports the
// BUILT engine (npm test runs `npm run build` first), so the process under test is plain Node.
//
// usage: node --no-node-snapshot test/hostile/corpus-runner.mjs CASE_JSON
//   CASE_JSON: { name, dir, scriptPath, actions, limits, input, phases: [{ advance?, event? }], settleMs,
//                build?, subscribe?, tenants?, permissions? }
//   (dir: an empty temp folder for the store; the test removes it, even when it had to kill us)
//   build: the source of a function (the case's own, trusted test code, run here on the host)
//     that gets { script, manifest, sourceMap, input } and returns it changed: how a case attacks
//     through the manifest or the source map, or needs an input too big to write in its header.
//   subscribe: subscribe the hostile workflow to its event triggers, in its own tenant.
//   tenants: 'registered' to run the standard actions as the CLI does (only registered tenants).
//   permissions: more permissions for the hostile run.
//   victimListener: the victim tenant subscribes a workflow of its own, `victim-listener`, to the
//     `secret.event` it receives (with store:write), before the hostile bundle is deployed.
// prints, as its last stdout line: CORPUS-REPORT {json}
import { existsSync, readFileSync } from 'node:fs';
import { formatLogEntry } from '../../dist/runtime/index.js';
import { join } from 'node:path';
import { ActionFailure, defineAction, ManualClock, openEngine, pending } from '../../dist/runtime/index.js';

const spec = JSON.parse(process.argv[2]);
const script = readFileSync(spec.scriptPath, 'utf8');
const VICTIM_TENANT = 'victim-tenant';
const VICTIM_SECRET = 'victim-secret-6Hq2';
const HOSTILE = { tenant: 'tenant-h0st1le', user: 'user-h0st1le-u', role: 'role-h0st1le-r' };
const PERMISSIONS = ['demo:*', 'host:*', 'store:read', 'store:write', 'idem:*', 'kv:read', 'kv:write', ...(spec.permissions ?? [])];
// The stdlib (kv) joins the catalog when it is built; bundles that need it say `@requires stdlib`.
const stdlibPath = new URL('../../dist/stdlib/index.js', import.meta.url);
const stdlib = existsSync(stdlibPath) ? await import(stdlibPath.href) : null;
// How the CLI prints what a run wrote: every line must be safe on a terminal.
const cliOutput = await import(new URL('../../dist/runtime/cli/output.js', import.meta.url).href);
const cliRun = await import(new URL('../../dist/runtime/cli/commands/run.js', import.meta.url).href);
const cliExit = await import(new URL('../../dist/runtime/cli/exit.js', import.meta.url).href);
const terminalUnsafe = /[\u0000-\u001f\u007f-\u009f]/;

// The longest time the host's event loop was blocked (a synchronous stall), measured by a ticker.
let lastTick = performance.now();
let longestBlock = 0;
const ticker = setInterval(() => {
  const now = performance.now();
  longestBlock = Math.max(longestBlock, now - lastTick - 10);
  lastTick = now;
}, 10);
ticker.unref();

const unhandled = [];
process.on('unhandledRejection', (err) => unhandled.push(String(err && err.stack ? err.stack : err)));
process.on('uncaughtException', (err) => unhandled.push(String(err && err.stack ? err.stack : err)));

// ---- the test's own record of what actions saw ---------------------------------------------
const executions = [];
const finalized = [];
const data = new Map();
const pendingOnce = new Set();
const note = (action, args, ctx, step) => executions.push({ action, runId: ctx.runId, seq: step.seq, key: step.idempotencyKey, tenant: ctx.tenant });
const fin = (action) => (ctx, run) => { finalized.push({ action, runId: run.id, status: run.status }); };

class Account {
  secret = 'kept';
  constructor(id) { this.id = id; }
  get computed() { return `computed-${this.id}`; }
  method() { return 'host method'; }
}

function recording(name, run, extra = {}) {
  return defineAction({ name, ...extra, run: (args, ctx, step) => { note(name, args, ctx, step); return run(args, ctx); }, finalize: fin(name) });
}
const slot = (tenant, key) => JSON.stringify([tenant, key]);
const catalog = [
  recording('demo.echo', (args) => args),
  recording('demo.fail', (args) => { throw new ActionFailure('DEMO_FAILED', `demo failure for ${JSON.stringify(args)}`); }),
  recording('store.put', (args, ctx) => { data.set(slot(ctx.tenant, args.key), args.value); return { ok: true }; }, {
    permission: 'store:write',
    input: { type: 'object', properties: { key: { type: 'string' }, value: {} }, required: ['key', 'value'], additionalProperties: false },
  }),
  recording('store.get', (args, ctx) => ({ value: data.has(slot(ctx.tenant, args.key)) ? data.get(slot(ctx.tenant, args.key)) : null }), {
    permission: 'store:read',
    input: { type: 'object', properties: { key: { type: 'string' } }, required: ['key'], additionalProperties: false },
  }),
  recording('admin.nuke', () => 'nuked', { permission: 'admin:nuke' }),
  recording('idem.key', () => null),
  recording('host.error', (_args, ctx) => {
    const err = new Error('host failure');
    Object.assign(err, { ctx, hostFn: () => 'host', hostObj: new Account('e'), code: 'HOST_CODE' });
    throw err;
  }, { retry: { maxAttempts: 1 } }),
  recording('host.weird', () => ({ account: new Account('w'), fn: () => 1, date: new Date(0), map: new Map([['k', 1]]), get lazy() { return 'host getter'; } })),
  // Inline (answered at the workflow's call): pending on its first attempt, then its arguments.
  // (A pending answer is not an execution of the step: only the answer is recorded.)
  defineAction({ name: 'host.inlinePending', inline: true, finalize: fin('host.inlinePending'), run: (args, ctx, step) => {
    const once = `${ctx.runId}:${step.seq}`;
    if (!pendingOnce.has(once)) {
      pendingOnce.add(once);
      return pending({ retryAt: clock.now() + 1000 });
    }
    note('host.inlinePending', args, ctx, step);
    return args;
  } }),
  // Answers its arguments after `ms` (at most 2 s) of real time: an attempt that outlives a slice.
  recording('host.slow', (args) => new Promise((resolve) => setTimeout(() => resolve(args), Math.min(2000, Number(args.ms) || 0)))),
];

const canaryScript = `export default async (input, actions) => {
  const a = await actions.demo.echo({ canary: input.n, k: 1 });
  await actions.sleep('1s');
  const b = await actions.demo.echo({ canary: input.n, k: 2 });
  return { n: input.n, sum: a.k + b.k };
}`;

// ---- helpers --------------------------------------------------------------------------------
const stalls = [];
async function settle(engine, when) {
  // After one stall the engine is still spinning on it: report rather than wait again.
  if (stalls.length > 0) return 'stalled';
  let timer;
  const work = engine.runUntilIdle();
  const deadline = new Promise((resolve) => { timer = setTimeout(() => resolve('stalled'), spec.settleMs); });
  const r = await Promise.race([work.then(() => 'idle'), deadline]);
  clearTimeout(timer);
  if (r === 'stalled') {
    stalls.push(when);
    work.catch(() => {});
  }
  return r;
}
// The report is one line on a pipe: an error or output the engine let grow huge is shown cut.
const shown = (value) => {
  const text = JSON.stringify(value) ?? 'null';
  return text.length <= 256 * 1024 ? value : { cut: true, chars: text.length, preview: text.slice(0, 4096) };
};
const view = (run) => ({
  status: run.status,
  error: run.error === null ? null : JSON.stringify(run.error).length <= 256 * 1024 ? run.error : { code: run.error.code, reason: run.error.reason, limit: run.error.limit, ...shown(run.error) },
  output: shown(run.output),
});
function hostPrototypes() {
  return [Object.prototype, Array.prototype, Function.prototype, Promise.prototype, String.prototype, JSON, Math]
    .map((o) => Reflect.ownKeys(o).map(String).sort().join(','))
    .join('|');
}

// ---- the case -------------------------------------------------------------------------------
const dir = spec.dir;
const clock = new ManualClock(Date.parse('2026-01-01T00:00:00Z'));
const report = { phases: [], canaries: [], violations: [], stalls, unhandled, longestBlockMs: 0 };
const violation = (text) => report.violations.push(text);
const protoBefore = hostPrototypes();
let engine;
try {
  const store = join(dir, 'alice.db');
  const registered = spec.tenants === 'registered';
  const actions = stdlib === null ? catalog : [...catalog, ...stdlib.standardActions({ store, tenants: registered ? 'registered' : 'any' })];
  engine = openEngine({ store, clock, actions, isolates: 1, limits: spec.limits });
  // As the CLI runs them: the victim is a registered tenant, the hostile one is not.
  if (registered && stdlib !== null) new stdlib.TenantDirectory(store).add(VICTIM_TENANT);
  const deploy = (name, s, actions) => engine.deploy({ script: s, manifest: { name, kind: 'user', actions } });

  // A victim tenant keeps a secret in the tenant store.
  const victim = engine.start(deploy('victim', `export default async (i, a) => a.store.put({ key: 'secret', value: '${VICTIM_SECRET}' })`, ['store.put']).id, { tenant: VICTIM_TENANT, permissions: ['store:write'] });
  const victims = [victim];
  if (stdlib !== null) {
    victims.push(engine.start(deploy('victim-kv', `export default async (i, a) => a.kv.set({ key: 'secret', value: '${VICTIM_SECRET}' })`, ['kv.set']).id, { tenant: VICTIM_TENANT, permissions: ['kv:write'] }));
  }
  await settle(engine, 'victim');
  for (const v of victims) {
    if (engine.getRun(v.id).status !== 'completed') violation(`a victim run did not complete: ${JSON.stringify(view(engine.getRun(v.id)))}`);
  }

  // The victim's own subscribed workflow: its events start it, in its tenant, with its permissions.
  if (spec.victimListener) {
    engine.deploy({ script: `export default async (input, actions) => actions.store.put({ key: 'heard', value: input.secret === '${VICTIM_SECRET}' })`, manifest: { name: 'victim-listener', kind: 'user', actions: ['store.put'], triggers: [{ type: 'event', event: 'secret.event' }] } });
    engine.subscribe('victim-listener', { tenant: VICTIM_TENANT, permissions: ['store:write'] });
  }

  // The hostile run, between two canaries that share its isolate.
  const canaryWf = deploy('canary', canaryScript, ['demo.echo']);
  const canaries = [engine.start(canaryWf.id, { input: { n: 1 }, permissions: ['demo:*'] })];
  let wf;
  let bundle = { script, manifest: { name: `hostile-${spec.name}`, kind: 'user', actions: spec.actions }, sourceMap: undefined, input: spec.input };
  if (spec.build !== undefined) bundle = { ...bundle, ...new Function(`return (${spec.build})`)()(bundle) };
  const refusedWith = (err, at) => {
    report.refused = { code: err?.code, message: String(err?.message ?? err).slice(0, 2000), at };
    // A refusal is a clear, typed error: an Alice code, and a message a person can read.
    if (typeof err?.code !== 'string' || !err.code.startsWith('ALICE_')) violation(`${at} threw an untyped error (${err?.constructor?.name}: ${String(err?.message ?? err).slice(0, 300)})`);
    if (String(err?.message ?? '').length > 8192) violation(`${at} refused the bundle with a message of ${String(err.message).length} characters`);
    // `alice deploy` prints it on stderr: it must be safe on a terminal.
    const line = cliExit.errorLine(err);
    if (terminalUnsafe.test(line)) violation(`the CLI prints the refusal with a control character: ${JSON.stringify(line).slice(0, 300)}`);
  };
  try {
    wf = engine.deploy({ script: bundle.script, manifest: bundle.manifest, ...(bundle.sourceMap === undefined ? {} : { sourceMap: bundle.sourceMap }) });
  } catch (err) {
    refusedWith(err, 'deploy');
    // Nothing of a refused bundle is stored.
    if (engine.listWorkflows().some((w) => w.name === bundle.manifest?.name)) violation('a refused bundle was stored');
  }
  if (wf && spec.subscribe) engine.subscribe(wf.name, { tenant: HOSTILE.tenant, user: { id: HOSTILE.user, roles: [HOSTILE.role] }, permissions: PERMISSIONS });
  let run;
  try {
    run = wf && engine.start(wf.id, { input: bundle.input, tenant: HOSTILE.tenant, user: { id: HOSTILE.user, roles: [HOSTILE.role] }, permissions: PERMISSIONS });
  } catch (err) {
    refusedWith(err, 'start');
  }
  canaries.push(engine.start(canaryWf.id, { input: { n: 2 }, permissions: ['demo:*'] }));
  await settle(engine, 'first execution');

  // The victim tenant receives an event carrying its secret: it must not reach the hostile run.
  engine.deliverEvent('secret.event', { secret: VICTIM_SECRET }, { tenant: VICTIM_TENANT });
  await settle(engine, 'victim event');
  if (run) report.phases.push(view(engine.getRun(run.id)));
  for (const [i, phase] of spec.phases.entries()) {
    if (phase.event) {
      try {
        engine.deliverEvent(phase.event.type, phase.event.data ?? null, { tenant: HOSTILE.tenant });
      } catch (err) {
        // An event of the hostile tenant is delivered to everyone waiting for it, or refused with a code.
        violation(`deliverEvent(${phase.event.type}) threw ${err?.code ?? 'an untyped error'}: ${err?.constructor?.name}: ${String(err?.message ?? err).slice(0, 300)}`);
      }
    }
    if (phase.advance) clock.advance(phase.advance);
    await settle(engine, `phase ${i + 2}`);
    if (run) report.phases.push(view(engine.getRun(run.id)));
  }

  // Let the canaries (and any finalization) finish.
  for (let i = 0; i < 3; i++) {
    clock.advance('1s');
    await settle(engine, `canaries ${i + 1}`);
  }
  for (const c of canaries) {
    const info = view(engine.getRun(c.id));
    const keys = executions.filter((e) => e.runId === c.id).map((e) => e.key).sort();
    report.canaries.push({ ...info, keys: keys.map((k) => k.slice(c.id.length)) });
  }

  // Nothing stored before the hostile bundle came is lost.
  for (const v of victims) {
    if (engine.getRun(v.id).status !== 'completed') violation(`a victim run is now ${engine.getRun(v.id).status}`);
  }
  if (data.get(JSON.stringify([VICTIM_TENANT, 'secret'])) !== VICTIM_SECRET) violation("the victim's stored secret changed");
  if (spec.victimListener && data.get(JSON.stringify([VICTIM_TENANT, 'heard'])) !== true) violation("the victim's own subscribed workflow did not handle its event");
  const names = new Set(engine.listWorkflows().map((w) => w.name));
  for (const n of ['victim', 'canary']) if (!names.has(n)) violation(`workflow ${n} is gone`);

  if (run) {
    const end = engine.getRun(run.id);
    report.end = view(end);
    if (['pending', 'running'].includes(end.status)) violation(`the hostile run is left ${end.status}`);
    if (end.status === 'failed') {
      if (typeof end.error?.code !== 'string') violation('a failed run without an error code');
      if (!['error', 'resource-limit', 'nondeterministic', 'stuck'].includes(end.error?.reason)) violation(`a failed run with reason ${end.error?.reason}`);
    }

    // No journaled step ran twice; every key is the engine's own run-id:seq for that action.
    const journal = engine.getJournal(run.id);
    const mine = executions.filter((e) => e.runId === run.id);
    const keys = mine.map((e) => e.key);
    const twice = keys.filter((k, i) => keys.indexOf(k) !== i);
    if (twice.length > 0) violation(`steps executed twice: ${twice.join(', ')}`);
    for (const e of mine) {
      if (e.key !== `${run.id}:${e.seq}`) violation(`an action received key ${e.key} for step ${e.seq}`);
      if (e.tenant !== HOSTILE.tenant) violation(`an action ran with tenant ${e.tenant}`);
      const step = journal.find((s) => s.seq === e.seq);
      if (step !== undefined && step.action !== e.action) violation(`step ${e.seq} journaled as ${step.action} but ran ${e.action}`);
    }
    if (executions.some((e) => e.action === 'admin.nuke')) violation('admin.nuke ran');

    // The journal and the log read back; memoized echo results are the arguments they echo.
    for (const s of journal) {
      if (s.action === 'demo.echo' && s.state === 'done' && JSON.stringify(s.result) !== JSON.stringify(s.args)) violation(`echo step ${s.seq} memoized ${JSON.stringify(s.result)} for ${JSON.stringify(s.args)}`);
    }
    const log = engine.getLog(run.id);
    for (const line of engine.exportLog().trimEnd().split('\n')) JSON.parse(line);
    engine.listRuns();

    // What the guest controls is stored within the limits: its error too (stack, source).
    const errorText = JSON.stringify(end.error) ?? '';
    const bridge = engine.limits.bridgeBytes;
    if (errorText.length > 3 * bridge) violation(`the run's stored error is ${errorText.length} characters (limit 'bridge-bytes' is ${bridge})`);

    // What the CLI prints of the run (alice log, alice run, alice runs, alice show) is safe on a
    // terminal: no control character can move the cursor, retitle the window or forge a line.
    const printed = [];
    const io = { out: (l) => printed.push(...String(l).split('\n')), err: (l) => printed.push(...String(l).split('\n')), stderrIsTTY: false };
    const cli = (command, print) => {
      try {
        print();
      } catch (err) {
        violation(`${command} cannot print the run: ${err?.constructor?.name}: ${String(err?.message ?? err).slice(0, 300)}`);
      }
    };
    cli('alice log', () => log.forEach((e) => printed.push(formatLogEntry(e))));
    cli('alice run --progress', () => log.forEach((e) => printed.push(cliOutput.progressLine(e) ?? '')));
    cli('alice runs', () => printed.push(...cliOutput.runsTable([end])));
    cli('alice show', () => printed.push(...cliOutput.runDetails(end, journal, cliOutput.awaitedEvents(log))));
    cli('alice run', () => cliRun.report(engine, end, false, io));
    const unsafe = printed.find((l) => terminalUnsafe.test(l));
    if (unsafe !== undefined) violation(`the CLI prints a control character: ${JSON.stringify(unsafe).slice(0, 300)}`);

    // Neither the victim's data nor the run's own context reached anything the guest wrote.
    const guestWrote = [JSON.stringify(end.output), JSON.stringify(end.error), ...log.filter((l) => l.kind === 'log').map((l) => JSON.stringify(l.data))].join('\n');
    if ((guestWrote + JSON.stringify(journal) + JSON.stringify(log)).includes(VICTIM_SECRET)) violation('the victim secret leaked into the hostile run');
    for (const secret of [run.id, HOSTILE.tenant, HOSTILE.user, HOSTILE.role]) {
      if (guestWrote.includes(secret)) violation(`the guest learned ${secret === run.id ? 'its run id' : secret}`);
    }

    // Every action that ran for a terminal run was told the run is over (DESIGN §3: finalize
    // goes to each action with steps in the run, refused calls included); no other was told.
    if (['completed', 'failed', 'cancelled'].includes(end.status)) {
      const ran = [...new Set(mine.map((e) => e.action))];
      const told = new Set(finalized.filter((f) => f.runId === run.id).map((f) => f.action));
      const stepped = new Set(journal.map((s) => s.action));
      const untold = ran.filter((a) => !told.has(a));
      if (untold.length > 0) violation(`actions ${JSON.stringify(untold)} ran for the run but were never finalized`);
      const stray = [...told].filter((a) => !stepped.has(a));
      if (stray.length > 0) violation(`actions ${JSON.stringify(stray)} were finalized without steps in the run`);
    }
  }
} catch (err) {
  violation(`the test harness or the engine API threw: ${err && err.stack ? err.stack : err}`);
} finally {
  if (hostPrototypes() !== protoBefore) violation('host prototypes changed');
  if (engine && stalls.length === 0) await engine.close().catch((err) => violation(`close failed: ${err}`));
}
report.longestBlockMs = Math.round(longestBlock);
// A stalled engine may keep timers or work alive: once the report is written, end here. On a
// pipe the write completes later (exiting at once could cut a long report), unless the engine
// stalled: its work may never let the write's callback run.
const reportLine = `\nCORPUS-REPORT ${JSON.stringify(report)}\n`;
if (stalls.length > 0) {
  process.stdout.write(reportLine);
  process.exit(0);
}
process.stdout.write(reportLine, () => process.exit(0));
