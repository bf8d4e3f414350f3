import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Engine } from '../../runtime/index.js';
import { standardActions, TenantDirectory } from '../../stdlib/index.js';
import { newStoreFixture, type StoreFixture } from '../support/store.js';

let fx: StoreFixture;
let engine: Engine;

beforeEach(() => {
  fx = newStoreFixture('alice-chat-');
  engine = fx.open(standardActions({ store: fx.path, clock: fx.clock, tenants: 'registered' }));
  const tenants = new TenantDirectory(fx.path);
  tenants.add('acme');
  tenants.close();
});
afterEach(() => fx.cleanup());

// Applies chat calls in order and reports each result or caught error code.
const script = `export default async (input, a) => {
  const out = [];
  for (const c of input.calls) {
    try { out.push(await a.chat[c.verb](c.args)); } catch (e) { out.push({ code: e.code, message: e.message }); }
  }
  return out;
}`;
const manifest = { name: 'chat-calls', kind: 'user' as const, actions: ['chat.post', 'chat.history'] };

async function calls(list: Array<{ verb: 'post' | 'history'; args: unknown }>, user: string, tenant = 'acme', permissions = ['chat:read', 'chat:write']): Promise<Array<Record<string, unknown>>> {
  const wf = engine.deploy({ script, manifest });
  const run = engine.start(wf.id, { input: { calls: list }, tenant, user: { id: user }, permissions });
  await engine.runUntilIdle();
  const info = engine.getRun(run.id);
  expect(info.status).toBe('completed');
  return info.output as Array<Record<string, unknown>>;
}

describe('chat.post and chat.history', () => {
  it("keeps a user's conversation in order, with roles, authors and cited sources", async () => {
    const posted = await calls(
      [
        { verb: 'post', args: { conversation: 'c1', role: 'user', text: 'What is the refund window?' } },
        { verb: 'post', args: { conversation: 'c1', text: 'Thirty days [1].', sources: [{ id: 'policy#0', title: 'Refund policy' }] } },
        { verb: 'history', args: { conversation: 'c1' } },
        { verb: 'history', args: { conversation: 'c1', limit: 1 } },
        { verb: 'history', args: { conversation: 'nobody-started-this' } },
      ],
      'ada',
    );
    expect(posted.slice(0, 2)).toEqual([{ conversation: 'c1', seq: 1 }, { conversation: 'c1', seq: 2 }]);
    expect(posted[2]).toEqual({
      messages: [
        { seq: 1, role: 'user', author: 'ada', text: 'What is the refund window?', sources: [], at: expect.any(Number) },
        { seq: 2, role: 'assistant', author: 'chat-calls', text: 'Thirty days [1].', sources: [{ id: 'policy#0', title: 'Refund policy' }], at: expect.any(Number) },
      ],
    });
    expect((posted[3].messages as unknown[]).length).toBe(1);
    expect(posted[4]).toEqual({ messages: [] });
  });

  it("keeps other users and other tenants out of a conversation", async () => {
    await calls([{ verb: 'post', args: { conversation: 'c2', role: 'user', text: 'private note' } }], 'ada');
    const bob = await calls([{ verb: 'history', args: { conversation: 'c2' } }, { verb: 'post', args: { conversation: 'c2', text: 'hijack' } }], 'bob');
    expect(bob.map((r) => r.code)).toEqual(['ALICE_UNAUTHORIZED', 'ALICE_UNAUTHORIZED']);
    const admin = await calls([{ verb: 'history', args: { conversation: 'c2' } }], 'support', 'acme', ['chat:admin', 'chat:read']);
    expect((admin[0].messages as unknown[]).length).toBe(1);
    const other = await calls([{ verb: 'history', args: { conversation: 'c2' } }], 'ada', 'default');
    expect(other[0]).toEqual({ messages: [] });
  });

  it('posts once per step: a re-executed step finds its message', async () => {
    const post = standardActions({ store: fx.path, clock: fx.clock }).find((a) => a.name === 'chat.post')!;
    const ctx = { runId: 'r1', tenant: 'acme', user: { id: 'ada', roles: [] }, permissions: ['*'], workflow: { id: 'w@1', name: 'w', kind: 'user' as const, version: 1, codeHash: 'h' }, trigger: { type: 'api' as const }, startedAt: 0, deadline: null };
    const step = { runId: 'r1', seq: 1, attempt: 1, idempotencyKey: 'r1:1' } as Parameters<typeof post.run>[2];
    const first = await post.run({ conversation: 'c3', text: 'once' }, ctx, step);
    const again = await post.run({ conversation: 'c3', text: 'once' }, ctx, { ...step, attempt: 2 });
    expect(again).toEqual(first);
    expect(fx.sql((db) => db.prepare("SELECT count(*) AS n FROM chat_messages WHERE conversation = 'c3'").get())).toEqual({ n: 1 });
  });

  it('refuses bad arguments and unknown tenants, memoized', async () => {
    const bad = await calls([{ verb: 'post', args: { conversation: '', text: 'x' } }, { verb: 'post', args: { conversation: 'c', text: 'x', role: 'root' } }], 'ada');
    expect(bad.map((r) => r.code)).toEqual(['ALICE_VALIDATION', 'ALICE_VALIDATION']);
    const unknown = await calls([{ verb: 'post', args: { conversation: 'c', text: 'x' } }], 'ada', 'initech');
    expect(unknown[0].code).toBe('ALICE_UNKNOWN_TENANT');
  });
});
