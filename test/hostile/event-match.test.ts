/**
 * Event matching is by value (DESIGN §2): an event matches a wait when every field of `match`
 * equals the same field of the event's data. A field the data does not have never matches —
 * not even when its name is one every JavaScript object inherits.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deploy, echoAction, newEnv, Recorder, settle, type Env } from './harness.js';

let env: Env;
beforeEach(() => {
  env = newEnv('alice-match-');
});
afterEach(() => env.cleanup());

describe('waitForEvent match', () => {
  it.each([
    ['constructor', 'null'],
    ['toString', 'null'],
    ['hasOwnProperty', 'null'],
    ['__proto__', '{}'],
  ])('does not wake a wait matching %s: %s on an event whose data lacks that field', async (field, value) => {
    const engine = env.open([echoAction(new Recorder())]);
    const wf = deploy(engine, 'matcher', `export default async (i, a) => {
      const match = JSON.parse('{${JSON.stringify(field)}:${value}}');
      const e = await a.waitForEvent('order.paid', { match, timeout: '1h' });
      return e === null ? 'timed out' : e.data;
    }`, []);
    const run = engine.start(wf.id, {});
    expect(await settle(engine)).toBe('idle');
    expect(engine.getRun(run.id).status).toBe('suspended');
    expect(engine.deliverEvent('order.paid', { orderId: 'o-1' }).woken).toBe(0);
    expect(await settle(engine)).toBe('idle');
    expect(engine.getRun(run.id).status).toBe('suspended');
    env.clock.advance('1h');
    expect(await settle(engine)).toBe('idle');
    expect(engine.getRun(run.id).output).toBe('timed out');
  });

  it('still matches a field the data really has', async () => {
    const engine = env.open([echoAction(new Recorder())]);
    const wf = deploy(engine, 'matcher', `export default async (i, a) => (await a.waitForEvent('order.paid', { match: { orderId: 'o-1' } })).data`, []);
    const run = engine.start(wf.id, {});
    expect(await settle(engine)).toBe('idle');
    expect(engine.deliverEvent('order.paid', { orderId: 'o-2' }).woken).toBe(0);
    expect(engine.deliverEvent('order.paid', { orderId: 'o-1', amount: 3 }).woken).toBe(1);
    expect(await settle(engine)).toBe('idle');
    expect(engine.getRun(run.id).output).toEqual({ orderId: 'o-1', amount: 3 });
  });
});
