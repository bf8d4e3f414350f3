/**
 * The standard actions on the engine, end to end:
 *
 * - `kv_step_ms`: what one `kv.set` or `kv.get` step costs in a workflow, engine included: a
 *   100-step run (alternating set and get of one key) and a 1-step run, timed start →
 *   runUntilIdle; (wall₁₀₀ − wall₁) / 99, median over the repetitions (as `step_ms`, whose
 *   figure it can be compared with: the difference is the kv table's own cost).
 * - `chat_e2e_p50_ms`: the system chat workflow, start → runUntilIdle with the answer posted:
 *   chat.history, chat.post of the question, kb.search over a knowledge base of the example
 *   documents plus 1,000 generated ones, llm.chat against the fake OpenAI-compatible server on
 *   127.0.0.1 through the real `openai` client, chat.post of the answer. p50 over the runs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Engine } from '../runtime/index.js';
import { openEngine } from '../runtime/index.js';
import { KbTable, standardActions, startFakeLlm } from '../stdlib/index.js';
import { installSystemWorkflows } from '../stdlib/workflows/index.js';
import { cpuMs, median, nowMs, percentile, round, scratch, type GroupResult } from './harness.js';

const kvScript = `export default async (input, a) => {
  let last = null;
  for (let i = 0; i < input.n; i++) {
    if (i % 2 === 0) await a.kv.set({ key: 'counter', value: i });
    else last = await a.kv.get({ key: 'counter' });
  }
  return last;
}`;

async function timed(engine: Engine, wfId: string, options: Parameters<Engine['start']>[1]): Promise<{ wall: number; cpu: number }> {
  const c0 = cpuMs();
  const t0 = nowMs();
  const run = engine.start(wfId, options);
  await engine.runUntilIdle();
  const wall = nowMs() - t0;
  const cpu = cpuMs() - c0;
  const info = engine.getRun(run.id);
  if (info.status !== 'completed') throw new Error(`bench run ${run.id} ended ${info.status}: ${JSON.stringify(info.error)}`);
  return { wall, cpu };
}

async function kvSteps(reps: number): Promise<{ perStep: number[]; cpuPerStep: number[] }> {
  const s = scratch('kv');
  const engine = openEngine({ store: s.dbPath, actions: standardActions({ store: s.dbPath }), retention: '30d' });
  try {
    const wf = engine.deploy({ script: kvScript, manifest: { name: 'bench-kv', kind: 'user', actions: ['kv.get', 'kv.set'] } });
    const run = (n: number) => timed(engine, wf.id, { input: { n }, permissions: ['kv:*'] });
    for (let i = 0; i < 3; i++) {
      await run(100);
      await run(1);
    }
    const perStep: number[] = [];
    const cpuPerStep: number[] = [];
    for (let i = 0; i < reps; i++) {
      const long = await run(100);
      const short = await run(1);
      perStep.push((long.wall - short.wall) / 99);
      cpuPerStep.push((long.cpu - short.cpu) / 99);
    }
    return { perStep, cpuPerStep };
  } finally {
    await engine.close();
    s.dispose();
  }
}

/** Deterministic filler documents, so the search has a realistic index to rank. */
function fillerDocuments(n: number): Array<{ id: string; title: string; text: string }> {
  const words = 'order invoice parcel refund account password delivery warehouse courier payment subscription plan discount label customs tracking address return exchange warranty'.split(' ');
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  return Array.from({ length: n }, (_, i) => {
    const sentences = Array.from({ length: 8 }, () => Array.from({ length: 12 }, () => words[Math.floor(next() * words.length)]).join(' ') + '.');
    return { id: `filler-${i}`, title: `Note ${i}`, text: sentences.join(' ') };
  });
}

async function chatEndToEnd(runs: number): Promise<{ walls: number[]; cpus: number[] }> {
  const s = scratch('chat');
  const llm = await startFakeLlm();
  const engine = openEngine({ store: s.dbPath, actions: standardActions({ store: s.dbPath, llm: { baseURL: llm.url, model: 'fake-model', apiKey: 'bench-key' } }), retention: '30d' });
  try {
    const kb = new KbTable(s.dbPath);
    const examples = join(import.meta.dirname, '..', '..', 'examples', 'assistant');
    kb.addMany('default', [
      { id: 'returns', title: 'Returns and refunds', text: readFileSync(join(examples, 'returns.md'), 'utf8') },
      { id: 'shipping', title: 'Shipping', text: readFileSync(join(examples, 'shipping.md'), 'utf8') },
      ...fillerDocuments(1000),
    ], Date.now());
    kb.close();
    const { chat } = await installSystemWorkflows(engine);
    const questions = ['How many days do I have to return an item?', 'How long does express delivery take?', 'Do you ship to Norway?', 'Can I return a gift card?'];
    const ask = (i: number) => timed(engine, chat.id, { input: { conversation: `c${i % 10}`, text: questions[i % questions.length] }, user: { id: 'bench' } });
    for (let i = 0; i < 10; i++) await ask(i);
    const walls: number[] = [];
    const cpus: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t = await ask(i);
      walls.push(t.wall);
      cpus.push(t.cpu);
    }
    return { walls, cpus };
  } finally {
    await engine.close();
    await llm.close();
    s.dispose();
  }
}

export async function stdlibGroup(options: { quick: boolean }): Promise<GroupResult> {
  const kv = await kvSteps(options.quick ? 5 : 15);
  const chat = await chatEndToEnd(options.quick ? 30 : 200);
  return {
    figures: [
      { name: 'kv_step_ms', value: round(median(kv.perStep)), unit: 'ms', how: 'median over reps of (wall(100 kv steps) − wall(1 kv step)) / 99, alternating kv.set/kv.get, start → runUntilIdle', samples: kv.perStep },
      { name: 'chat_e2e_p50_ms', value: round(median(chat.walls), 3), unit: 'ms', how: 'alice.chat run start → runUntilIdle (history, post, kb.search over 1,002 docs, llm.chat on the fake server via openai, post), p50', samples: chat.walls },
    ],
    notes: [
      { label: 'kv: process CPU per kv step', text: `${round(median(kv.cpuPerStep) * 1000, 3)} µs (user+system of all threads)` },
      { label: 'chat: p90 / p99, CPU per run', text: `${round(percentile(chat.walls, 90), 3)} / ${round(percentile(chat.walls, 99), 3)} ms; CPU ${round(median(chat.cpus), 3)} ms per run (the fake server runs in this process too)` },
    ],
  };
}
