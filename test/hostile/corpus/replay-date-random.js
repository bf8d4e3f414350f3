/**
 * @class replay
 * @attack Replaces Date, Date.prototype methods, Math.random and the Math object, and reads the
 *   wall clock through Intl, to make a re-run issue different arguments than the first
 *   execution (so replay would either be detected or deliver stale outcomes).
 * @expect [{"status":"suspended"},{"status":"failed"}]
 * @then {"advance":"1s","expect":[{"status":"completed"},{"status":"failed"}]}
 * @actions demo.echo
 */
export default async (input, actions) => {
  for (const f of [
    () => { globalThis.Date = function () {}; },
    () => { Math.random = () => 0.5; },
    () => { globalThis.Math = { random: () => 0.25 }; },
    () => { Date.prototype.getTime = () => 0; },
    () => { Date.now = () => 42; },
  ]) { try { f(); } catch {} }
  const v = { now: Date.now(), r: Math.random(), wall: new Intl.DateTimeFormat('en', { timeStyle: 'medium', timeZone: 'UTC' }).format() };
  await actions.demo.echo(v);
  await actions.sleep('1s');
  return 'ok';
};
