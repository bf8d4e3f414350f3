import { within } from '../ts/references.js';
import { defineRule } from './rule.js';

const why = 'a workflow is re-run from the start on every resume, and a random source gives other numbers each time, so the re-run would not match the journal it replays';

/** `Math.random()`, `crypto.getRandomValues()`, `crypto.randomUUID()` are different on every run. */
export default defineRule({
  id: 'no-random',
  description: 'Math.random() and crypto randomness differ on every replay; use random() from "alice" (seeded per run).',
  create: (ctx) => ({
    reference(ref) {
      const { path, usage } = ref;
      if (usage === 'typeof' || usage === 'alias' || usage === 'write') return;
      const hint = 'use random() from "alice": a generator seeded by the run, the same sequence on every replay';
      if (within(path, 'Math.random') || within(path, 'crypto')) {
        if (path === 'crypto' && usage === 'read') return;
        ctx.report(ref.node, `${path.replace(/\.\[computed\]/g, '[…]')} is a random source: ${why}.`, hint);
        return;
      }
      if (path === 'Math' && usage === 'escape') {
        ctx.report(ref.node, `Math is passed on as a value, where the checker cannot see whether Math.random is called: ${why}.`, 'call Math\'s functions directly (Math.max(...)), or use random()');
        return;
      }
      if (path === 'Math.[computed]') ctx.report(ref.node, `a computed member of Math could be Math.random: ${why}.`, 'name the member you use (Math.max), or use random()');
    },
  }),
});
