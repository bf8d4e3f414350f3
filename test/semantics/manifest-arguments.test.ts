/**
 * The manifest's argument records are a contract the engine enforces (docs/runtime.md, "The
 * manifest's arguments are enforced"): a reviewer approves what the manifest says a workflow
 * sends, so a call whose fields contradict every record of its action is refused as an
 * authorization error, memoized like any other, and the action never runs.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { catalogOf } from '../../compiler/catalog.js';
import { compileSource } from '../../compiler/compile.js';
import type { ActionCallRecord } from '../../runtime/bundle.js';
import { argumentPolicy } from '../../runtime/engine/argument-policy.js';
import { defineAction, ErrorCodes } from '../../runtime/index.js';
import { validateBundle } from '../../runtime/bundle.js';
import { BundleError } from '../../runtime/errors.js';
import { echoAction, logOf, newEnv, Recorder, settle, type Env } from '../hostile/harness.js';

const record = (args: ActionCallRecord['args']): ActionCallRecord => ({ line: 1, args });

describe('argumentPolicy', () => {
  const cases: Array<{ name: string; records: ActionCallRecord[]; pass: Array<Record<string, unknown>>; refuse: Array<Record<string, unknown>> }> = [
    {
      name: 'a literal holds the field to that value',
      records: [record({ to: { literal: 'ops@corp.example' }, subject: { literal: 'weekly' } })],
      pass: [{ to: 'ops@corp.example', subject: 'weekly' }],
      refuse: [{ to: 'x@evil.example', subject: 'weekly' }, { to: ['ops@corp.example'], subject: 'weekly' }, { to: 'ops@corp.example', subject: 'weekly', bcc: 'x@evil.example' }, { subject: 'weekly' }],
    },
    {
      name: 'a field every record writes with literals or a prefix must be sent: listing under "report:" is not listing everything',
      records: [record({ prefix: { template: 'report:${…}', prefix: 'report:', from: ['input'] } }), record({ prefix: { literals: ['a:', 'b:'] } })],
      pass: [{ prefix: 'report:2024' }, { prefix: 'b:' }],
      refuse: [{}, { prefix: 'c:' }],
    },
    {
      name: 'a field may be left out when a record says its call may leave it out, or does not write it',
      records: [record({ prefix: { literal: 'report:', optional: true } }), record({ to: { literal: 'ops@corp.example' } }), record({ to: { literal: 'ops@corp.example' }, subject: { literal: 'weekly' } })],
      pass: [{}, { prefix: 'report:' }, { to: 'ops@corp.example' }, { to: 'ops@corp.example', subject: 'weekly' }],
      refuse: [{ prefix: 'secrets:' }, { subject: 'daily' }],
    },
    {
      name: 'a value from the input with no prefix may be left out (JSON drops undefined), and so may a field a spread may replace',
      records: [record({ to: { from: ['input'] }, subject: { literal: 'weekly' }, '...': { from: ['input'] } })],
      pass: [{}, { to: 'x@example.com' }, { subject: 'weekly', cc: 'y@example.com' }],
      refuse: [{ subject: 'daily' }],
    },
    {
      name: 'literals of several calls are all allowed',
      records: [record({ to: { literal: 'a@corp.example' } }), record({ to: { literals: ['b@corp.example', 'c@corp.example'] } })],
      pass: [{ to: 'a@corp.example' }, { to: 'c@corp.example' }],
      refuse: [{ to: 'd@corp.example' }],
    },
    {
      name: 'a prefix holds a built value to it',
      records: [record({ key: { template: 'report:${…}', prefix: 'report:', from: ['input'] } })],
      pass: [{ key: 'report:2024' }],
      refuse: [{ key: 'secrets:2024' }, { key: 7 }],
    },
    {
      name: 'a value from the input with no prefix is open, and so are the literals next to it',
      records: [record({ to: { from: ['input'], literals: ['ops@corp.example'] } })],
      pass: [{ to: 'anyone@example.com' }],
      refuse: [{ to: 'a', cc: 'b' }],
    },
    {
      name: 'one call that spreads unknown fields opens the fields the others do not write',
      records: [record({ subject: { literal: 'weekly' } }), record({ subject: { literal: 'daily' }, '...': { from: ['input'] } })],
      pass: [{ subject: 'weekly', to: 'x@example.com' }],
      refuse: [{ subject: 'monthly' }],
    },
    {
      name: 'numbers, booleans and null compare as JSON values',
      records: [record({ limit: { literal: 10 }, all: { literal: true }, cursor: { literal: null } })],
      pass: [{ limit: 10, all: true, cursor: null }],
      refuse: [{ limit: '10', all: true, cursor: null }, { limit: 10, all: 1, cursor: null }, { limit: 10, all: true, cursor: 0 }, { limit: 10, all: true }],
    },
    {
      name: 'keys of Object.prototype are fields like any other',
      records: [record({ to: { literal: 'ops@corp.example' } })],
      pass: [{ to: 'ops@corp.example' }],
      refuse: [JSON.parse('{"to":"ops@corp.example","__proto__":{"to":"x"}}') as Record<string, unknown>, { to: 'ops@corp.example', constructor: 'x' }],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const policy = argumentPolicy('email.send', c.records);
      expect(policy).not.toBeNull();
      for (const args of c.pass) expect(policy!(args), JSON.stringify(args)).toBeNull();
      for (const args of c.refuse) expect(policy!(args), JSON.stringify(args)).toMatch(/email\.send's `[^`]+` is .*manifest|no call of email\.send in the manifest writes|email\.send's argument leaves out `[^`]+`, which the workflow's manifest always sends/);
    });
  }

  it('leaves an action open when its records cannot say what its argument holds', () => {
    expect(argumentPolicy('kv.set', undefined)).toBeNull();
    expect(argumentPolicy('kv.set', [])).toBeNull();
    expect(argumentPolicy('kv.set', [record({ key: { literal: 'a' } }), record({ '*': { from: ['input'] } })])).toBeNull();
    expect(argumentPolicy('kv.set', [record({ key: { literal: 'a' }, '?': { from: ['computed'] } })])).toBeNull();
  });

  it('never quotes a secret field it refuses', () => {
    const policy = argumentPolicy('http.request', [record({ auth: { literal: 'Bearer public' } })], ['auth'])!;
    const problem = policy({ auth: 'Bearer sk-live-TOPSECRET' });
    expect(problem).toContain('secret');
    expect(problem).not.toContain('TOPSECRET');
  });

  it('reads a record as a reviewer does: a literal is the value, whatever a hand-written record puts next to it', () => {
    const policy = argumentPolicy('email.send', [record({ to: { literal: 'ops@corp.example', prefix: 'ops', from: ['input'] } })])!;
    expect(policy({ to: 'ops@corp.example' })).toBeNull();
    expect(policy({ to: 'ops@evil.example' })).not.toBeNull();
  });

  it('takes a field really named like a marker, with a value written in the source, for a field', () => {
    const policy = argumentPolicy('email.send', [record({ '*': { literal: '' }, to: { literal: 'ops@corp.example' } }), record({ to: { from: ['computed'] } })]);
    expect(policy).not.toBeNull();
    expect(argumentPolicy('email.send', [record({ '*': { from: ['input'] } })])).toBeNull();
  });

  it('says what was sent and what the manifest allows', () => {
    const policy = argumentPolicy('email.send', [record({ to: { literal: 'ops@corp.example' } }), record({ to: { prefix: 'team-', from: ['input'] } })])!;
    expect(policy({ to: 'x@evil.example' })).toBe('email.send\'s `to` is "x@evil.example", but the workflow\'s manifest allows only "ops@corp.example" or a string starting with "team-"');
  });
});

describe('a manifest\'s argument records are read as a reviewer reads them, or refused', () => {
  const bundleWith = (args: unknown) => ({ script: 'export default async () => 1;', manifest: { name: 'w', kind: 'user', actions: ['demo.echo'], arguments: args } });
  const refused: Array<[string, unknown, RegExp]> = [
    ['a bare value for an origin', { 'demo.echo': [{ line: 1, args: { prefix: 'report:' } }] }, /args\["prefix"\] must be an object/],
    ['literals given as a string', { 'demo.echo': [{ line: 1, args: { prefix: { literals: 'report:' } } }] }, /literals must be a list of JSON strings, numbers, booleans or nulls/],
    ['a misspelled key', { 'demo.echo': [{ line: 1, args: { prefix: { Literal: 'report:' } } }] }, /has "Literal", which is none of/],
    ['an empty from', { 'demo.echo': [{ line: 1, args: { to: { from: [] } } }] }, /from must be a non-empty list of sources/],
    ['optional that is not a boolean', { 'demo.echo': [{ line: 1, args: { to: { literal: 'a', optional: 'yes' } } }] }, /optional must be true or false/],
    ['records of a name that is not one of the actions', { 'demo.echo ': [{ line: 1, args: { prefix: { literal: 'report:' } } }] }, /\["demo\.echo "\] is not one of manifest\.actions/],
    ['a record without a line', { 'demo.echo': [{ args: {} }] }, /\[0\] must be a \{ line, args \} record/],
  ];
  for (const [name, args, message] of refused) {
    it(`refuses ${name}`, () => {
      expect(() => validateBundle(bundleWith(args))).toThrow(BundleError);
      expect(() => validateBundle(bundleWith(args))).toThrow(message);
    });
  }

  it('takes what the compilers write', () => {
    const args = { 'demo.echo': [{ line: 3, args: { prefix: { literal: 'report:', optional: true }, to: { literals: ['a', null, 1, true], from: ['input'] }, url: { template: 'https://h.example/${…}', prefix: 'https://h.example/', host: 'h.example', from: ['input'] }, '...': { from: ['computed'] } } }] };
    expect(validateBundle(bundleWith(args)).manifest.arguments).toEqual(args);
  });

  it('reads a marker only with what flows in: "...": {} is a field of that name, which opens nothing', () => {
    const policy = argumentPolicy('demo.echo', [record({ prefix: { literal: 'report:' }, '...': {} })])!;
    expect(policy({ prefix: 'report:' })).toBeNull();
    expect(policy({})).toMatch(/leaves out `prefix`/);
    expect(policy({ prefix: 'report:', extra: 1 })).toMatch(/no call of demo\.echo in the manifest writes/);
  });
});

describe('the engine enforces the manifest\'s arguments', () => {
  let env: Env;
  let rec: Recorder;
  beforeEach(() => {
    env = newEnv('alice-manifest-args-');
    rec = new Recorder();
  });
  afterEach(() => env.cleanup());

  /** A workflow whose calls send what the input says; its compiled manifest says so. */
  const source = `import { demo } from "alice";
export default async function (input: { to: string }) {
  await demo.echo({ to: input.to });
  return "sent";
}`;

  it('refuses a call that contradicts the manifest (as a compiler\'s missed case would make it), before the action runs', async () => {
    const catalog = catalogOf([defineAction({ name: 'demo.echo', permission: null, input: { type: 'object', properties: { to: { type: 'string' } } }, run: () => null })]);
    const { bundle, diagnostics } = compileSource({ ok: true, path: 'flows/route.ts', text: source }, { catalog });
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(bundle!.manifest.arguments).toEqual({ 'demo.echo': [{ line: 3, args: { to: { from: ['input'] } } }] });
    const engine = env.open([echoAction(rec)]);
    // The manifest a reviewer would have approved had the analysis missed where `to` comes from.
    // (The code hash covers the manifest: without it, the engine computes it for the claim.)
    const { codeHash: _, ...manifest } = bundle!.manifest;
    const wf = engine.deploy({ ...bundle!, manifest: { ...manifest, arguments: { 'demo.echo': [{ line: 3, args: { to: { literal: 'ops@corp.example' } } }] } } });

    const honest = engine.start(wf.id, { input: { to: 'ops@corp.example' } });
    const lying = engine.start(wf.id, { input: { to: 'x@evil.example' } });
    expect(await settle(engine)).toBe('idle');
    expect(engine.getRun(honest.id).status).toBe('completed');
    const failed = engine.getRun(lying.id);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatchObject({ code: ErrorCodes.UNAUTHORIZED });
    expect(String(failed.error?.message)).toContain('demo.echo\'s `to` is "x@evil.example", but the workflow\'s manifest allows only "ops@corp.example"');
    // The action ran for the honest run only.
    expect(rec.executions.map((e) => [e.runId, e.args])).toEqual([[honest.id, { to: 'ops@corp.example' }]]);
    const refusals = logOf(engine, lying.id, 'refusal');
    expect(refusals).toHaveLength(1);
    expect(refusals[0].data).toMatchObject({ action: 'demo.echo', reason: 'manifest-arguments' });
  });

  it('holds hand-written bundles to the arguments their manifest claims', async () => {
    const engine = env.open([echoAction(rec)]);
    const wf = engine.deploy({
      script: 'export default async (input, a) => { await a.demo.echo({ key: input.key }); return "ok"; }',
      manifest: { name: 'claims', kind: 'user', actions: ['demo.echo'], arguments: { 'demo.echo': [{ line: 1, args: { key: { template: 'user:${…}', prefix: 'user:', from: ['input'] } } }] } },
    });
    const ok = engine.start(wf.id, { input: { key: 'user:ann' } });
    const bad = engine.start(wf.id, { input: { key: 'admin:root' } });
    expect(await settle(engine)).toBe('idle');
    expect(engine.getRun(ok.id).status).toBe('completed');
    expect(engine.getRun(bad.id).status).toBe('failed');
    expect(rec.executions.map((e) => e.args)).toEqual([{ key: 'user:ann' }]);
  });

  it('refuses a call that leaves out a field its manifest always sends (listing under a prefix is not listing everything)', async () => {
    const engine = env.open([echoAction(rec)]);
    const wf = engine.deploy({
      script: 'export default async (input, a) => { await a.demo.echo(input.all ? {} : { prefix: "report:" }); return "ok"; }',
      manifest: { name: 'lists', kind: 'user', actions: ['demo.echo'], arguments: { 'demo.echo': [{ line: 1, args: { prefix: { literal: 'report:' } } }] } },
    });
    const ok = engine.start(wf.id, { input: { all: false } });
    const bad = engine.start(wf.id, { input: { all: true } });
    expect(await settle(engine)).toBe('idle');
    expect(engine.getRun(ok.id).status).toBe('completed');
    expect(engine.getRun(bad.id).status).toBe('failed');
    expect(engine.getRun(bad.id).error).toMatchObject({ code: ErrorCodes.UNAUTHORIZED });
    expect(rec.executions.map((e) => e.args)).toEqual([{ prefix: 'report:' }]);
  });

  it('runs a compiled call with a key known only at run time, whose value is a literal', async () => {
    const catalog = catalogOf([defineAction({ name: 'demo.echo', permission: null, input: { type: 'object' }, run: () => null })]);
    const text = `import { demo } from "alice";
export default async function (input: { k: string }) {
  await demo.echo({ [input.k]: "x" });
  return "ok";
}`;
    const { bundle } = compileSource({ ok: true, path: 'flows/key.ts', text }, { catalog });
    expect(bundle!.manifest.arguments!['demo.echo']).toEqual([{ line: 3, args: { '?': { literals: ['x'], from: ['computed'] } } }]);
    const engine = env.open([echoAction(rec)]);
    const wf = engine.deploy(bundle!);
    const run = engine.start(wf.id, { input: { k: 'color' } });
    expect(await settle(engine)).toBe('idle');
    expect(engine.getRun(run.id).status).toBe('completed');
    expect(rec.executions.map((e) => e.args)).toEqual([{ color: 'x' }]);
  });

  it('lets the compiled workflow leave out what its manifest marks optional', async () => {
    const catalog = catalogOf([defineAction({ name: 'demo.echo', permission: null, input: { type: 'object', properties: { prefix: { type: 'string' } } }, run: () => null })]);
    const text = `import { demo } from "alice";
export default async function (input: { all: boolean }) {
  await demo.echo(input.all ? {} : { prefix: "report:" });
  return "ok";
}`;
    const { bundle } = compileSource({ ok: true, path: 'flows/list.ts', text }, { catalog });
    expect(bundle!.manifest.arguments!['demo.echo']).toEqual([{ line: 3, args: { prefix: { literal: 'report:', optional: true } } }]);
    const engine = env.open([echoAction(rec)]);
    const wf = engine.deploy(bundle!);
    const all = engine.start(wf.id, { input: { all: true } });
    expect(await settle(engine)).toBe('idle');
    expect(engine.getRun(all.id).status).toBe('completed');
    expect(rec.executions.map((e) => e.args)).toEqual([{}]);
  });
});
