/**
 * @class scheduler
 * @attack Fork bomb through emitted events, in width: a run started by hand, subscribed to the
 *   event it emits, emits it 1,100 times. The engine bounds a chain of emitted events at 1,000
 *   runs (maxChainRuns, "its width, not only its depth"), but counts a chain from its first
 *   event: each event a hand-started run emits begins a chain of its own, so one run may start
 *   10,000 (steps) × 1,000 runs. Here its 1,100 children must not all start.
 * @expect {"status":"completed","output":{"capped":true}}
 * @actions events.emit
 * @requires stdlib
 * @permissions events:emit
 * @subscribe
 * @input {"root":true}
 * @timeout 30000
 * @build (b) => ({ ...b, manifest: { ...b.manifest, triggers: [{ type: 'event', event: 'fork' }] } })
 */
export default async (input, actions) => {
  if (input === null || input.root !== true) return 'child';
  let started = 0;
  for (let i = 0; i < 1100; i += 50) {
    const batch = [];
    for (let j = 0; j < 50; j++) batch.push(actions.events.emit({ type: 'fork', data: { n: i + j } }));
    for (const r of await Promise.all(batch)) started += r.started;
  }
  return { capped: started <= 1000 };
};
