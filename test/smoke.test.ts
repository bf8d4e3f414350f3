import { describe, expect, it } from 'vitest';
import { defineAction, openEngine, ManualClock } from '../runtime/index.js';

describe('smoke', () => {
  it('runs a three-step workflow to completion', async () => {
    const calls: string[] = [];
    const echo = defineAction({ name: 'demo.echo', run: async (args: { n: number }, _ctx, step) => { calls.push(step.idempotencyKey); return { n: args.n * 2 }; } });
    const clock = new ManualClock();
    const engine = openEngine({ store: ':memory:', actions: [echo], clock });
    const wf = engine.deploy({
      script: `export default async (input, actions) => {
        let total = 0;
        for (let i = 0; i < 3; i++) total += (await actions.demo.echo({ n: i })).n;
        actions.log('total', total, Date.now(), Math.random());
        await actions.sleep('7d');
        const [a, b] = await Promise.all([actions.demo.echo({ n: 10 }), actions.demo.echo({ n: 20 })]);
        return { total, a, b, t: actions.now() };
      }`,
      manifest: { name: 'smoke', kind: 'user', actions: ['demo.echo'] },
    });
    const run = engine.start(wf.id, { input: null, permissions: ['*'] });
    await engine.runUntilIdle();
    expect(engine.getRun(run.id).status).toBe('suspended');
    clock.advance('7d');
    await engine.runUntilIdle();
    const info = engine.getRun(run.id);
    expect(info.error).toBeNull();
    expect(info.status).toBe('completed');
    expect(info.output).toMatchObject({ total: 6, a: { n: 20 }, b: { n: 40 } });
    expect(calls.length).toBe(5);
    console.log(engine.getLog(run.id).map((l) => `${l.kind} ${JSON.stringify(l.data)}`).join('\n'));
    await engine.close();
  });
});
