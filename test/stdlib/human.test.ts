import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Engine } from '../../runtime/index.js';
import { HumanDesk, standardActions } from '../../stdlib/index.js';
import { newStoreFixture, type StoreFixture } from '../support/store.js';

let fx: StoreFixture;
let engine: Engine;
let desk: HumanDesk;

beforeEach(() => {
  fx = newStoreFixture('alice-human-');
  engine = fx.open(standardActions({ store: fx.path, clock: fx.clock }), { retention: '1d' });
  desk = new HumanDesk(fx.path);
});
afterEach(async () => {
  desk.close();
  await fx.cleanup();
});

const approval = {
  script: `export default async (input, a) => {
    const r = await a.human.ask({ question: 'Refund ' + input.amount + ' EUR to ' + input.customer + '?', details: input, schema: { type: 'object', properties: { approved: { type: 'boolean' } }, required: ['approved'], additionalProperties: false }, assignee: input.assignee, timeout: input.timeout });
    return r.timedOut ? 'timed out' : (r.answer.approved ? 'refunded by ' + r.by : 'refused by ' + r.by);
  }`,
  manifest: { name: 'refund-approval', kind: 'user' as const, actions: ['human.ask'] },
};

describe('human.ask', () => {
  it('suspends until a person answers, then returns the answer and who gave it; the journal and the log keep both', async () => {
    const wf = engine.deploy(approval);
    const run = engine.start(wf.id, { input: { amount: 40, customer: 'Ada' }, permissions: ['human:ask'], user: { id: 'clerk' } });
    await engine.runUntilIdle();
    expect(engine.getRun(run.id).status).toBe('suspended');
    const open = desk.list({ status: 'open' });
    expect(open).toEqual([expect.objectContaining({ runId: run.id, step: 1, question: 'Refund 40 EUR to Ada?', askedFor: 'clerk', details: { amount: 40, customer: 'Ada' } })]);

    desk.answer(engine, { runId: run.id, step: 1, data: { approved: true }, by: 'maria' }, fx.clock.now());
    await engine.runUntilIdle();
    expect(engine.getRun(run.id)).toMatchObject({ status: 'completed', output: 'refunded by maria' });
    const [step] = engine.getJournal(run.id);
    expect(step).toMatchObject({ action: 'human.ask', state: 'done', result: { answer: { approved: true }, by: 'maria', timedOut: false } });
    const done = engine.getLog(run.id).find((e) => e.kind === 'step');
    expect(JSON.stringify(done?.data)).toContain('"by":"maria"');
    expect(desk.list({ runId: run.id })[0]).toMatchObject({ status: 'answered', answeredBy: 'maria' });
  });

  it('refuses answers that do not fit the schema, from someone else than the assignee, to unknown steps, or a second different answer', async () => {
    const wf = engine.deploy(approval);
    const run = engine.start(wf.id, { input: { amount: 5, customer: 'Bo', assignee: 'maria' }, permissions: ['human:ask'] });
    await engine.runUntilIdle();
    const answer = (data: unknown, by: string, step = 1) => () => desk.answer(engine, { runId: run.id, step, data, by });
    expect(answer({ approved: 'yes' }, 'maria')).toThrow(expect.objectContaining({ code: 'ALICE_HUMAN_ANSWER', message: expect.stringContaining('approved must be boolean') }));
    expect(answer({ approved: true }, 'mallory')).toThrow(/assigned to maria; mallory may not answer/);
    expect(answer({ approved: true }, 'maria', 9)).toThrow(/has no question at step 9/);
    answer({ approved: false }, 'maria')();
    // The same answer again is harmless (it re-wakes the run); a different one is refused.
    expect(answer({ approved: false }, 'maria')).not.toThrow();
    expect(answer({ approved: true }, 'maria')).toThrow(/already answered by maria/);
    await engine.runUntilIdle();
    expect(engine.getRun(run.id)).toMatchObject({ status: 'completed', output: 'refused by maria' });
  });

  it('returns timedOut when nobody answers in time, and closes open questions at finalization', async () => {
    const wf = engine.deploy(approval);
    const timed = engine.start(wf.id, { input: { amount: 1, customer: 'Cy', timeout: '2h' }, permissions: ['human:ask'] });
    const cancelled = engine.start(wf.id, { input: { amount: 2, customer: 'Di' }, permissions: ['human:ask'] });
    await engine.runUntilIdle();
    fx.clock.advance(2 * 3600_000);
    await engine.runUntilIdle();
    expect(engine.getRun(timed.id)).toMatchObject({ status: 'completed', output: 'timed out' });
    expect(desk.list({ runId: timed.id })[0].status).toBe('expired');
    expect(engine.getRun(cancelled.id).status).toBe('suspended');

    engine.cancel(cancelled.id, 'customer left');
    await engine.runUntilIdle();
    expect(engine.getRun(cancelled.id).finalizedAt).not.toBeNull();
    expect(desk.list({ runId: cancelled.id })[0].status).toBe('closed');
    // finalize ran once for human.ask, and does not run again.
    const finalizes = () => engine.getLog(cancelled.id).filter((e) => e.kind === 'finalize');
    expect(finalizes().map((e) => e.data)).toEqual([expect.objectContaining({ action: 'human.ask', ok: true })]);
    await engine.runUntilIdle();
    expect(finalizes()).toHaveLength(1);
    expect(() => desk.answer(engine, { runId: cancelled.id, step: 1, data: { approved: true }, by: 'maria' })).toThrow(/is closed/);
    // Journal retention (1d here) purges the finished runs' steps.
    fx.clock.advance(2 * 86400_000);
    await engine.runUntilIdle();
    expect(engine.getJournal(timed.id)).toEqual([]);
  });

  it('refuses an invalid answer schema with a memoized ALICE_VALIDATION', async () => {
    const wf = engine.deploy({ script: `export default async (i, a) => { try { await a.human.ask({ question: 'q', schema: { type: 'nonsense' } }); } catch (e) { return e.code; } }`, manifest: { name: 'bad-schema', kind: 'user', actions: ['human.ask'] } });
    const run = engine.start(wf.id, { permissions: ['human:ask'] });
    await engine.runUntilIdle();
    expect(engine.getRun(run.id).output).toBe('ALICE_VALIDATION');
    expect(desk.list()).toEqual([]);
  });
});
