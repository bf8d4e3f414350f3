/**
 * @class memory
 * @attack Issues sixty echo steps of 300 kB each at once and drops every result as soon as it
 *   arrives, so the first execution never holds more than one; between the first and the
 *   second delivery it calls an inline action (kv.get), whose outcome is committed after all
 *   sixty. A re-run settles that inline step at its call, for which the guest pulls every
 *   journaled outcome before it in completion order, and keeps the fifty-nine it has not
 *   delivered yet: eighteen megabytes the first execution never held at once, in a 16 MiB heap.
 *   A run that fit its heap must fit it on every re-run.
 * @expect {"status":"suspended"}
 * @then {"event":{"type":"go"},"expect":{"status":"suspended"}}
 * @then {"event":{"type":"go2"},"expect":{"status":"completed","output":{"n":60}}}
 * @actions demo.echo,kv.get
 * @limits {"heapMiB":16,"cpuMs":20000}
 * @requires stdlib
 * @timeout 60000
 */
export default async (input, actions) => {
  // Waits first, so that the heavy part runs alone in the engine (inline actions need that).
  await actions.waitForEvent('go');
  const big = 'x'.repeat(300_000);
  const done = [];
  for (let i = 0; i < 60; i++) done.push(actions.demo.echo({ i, big }).then((r) => r.i));
  await done[0];
  await actions.kv.get({ key: 'nothing' });
  let n = 0;
  for (const d of done) { await d; n++; }
  await actions.waitForEvent('go2');
  return { n };
};
