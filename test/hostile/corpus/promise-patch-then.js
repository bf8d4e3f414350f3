/**
 * @class promises
 * @attack Replaces Promise.prototype.then, Promise.resolve, Promise.all and the Promise global
 *   with versions that drop, duplicate or forge settlements before calling actions.
 *   The guest runtime settles steps and reads the workflow's result with the intrinsics it
 *   captured before any workflow code ran, so the run goes on; only `Promise.all` itself calls
 *   the replaced `Promise.resolve` (the language's rule), so `c` is what the workflow's own
 *   patch makes it, the same on the re-run.
 * @expect [{"status":"suspended"},{"status":"failed"}]
 * @then {"advance":"1s","expect":[{"status":"completed","output":{"a":{"k":1},"b":{"k":2},"c":["forged","forged"]}},{"status":"completed","output":{"a":{"k":1},"b":{"k":2},"c":[{"k":3},{"k":4}]}},{"status":"failed"}]}
 * @actions demo.echo
 */
export default async (input, actions) => {
  const realThen = Promise.prototype.then;
  Promise.prototype.then = function (onOk, onErr) {
    return realThen.call(this, (v) => (onOk ? onOk(v) : v), onErr);
  };
  Promise.resolve = () => ({ then(r) { r('forged'); } });
  const RealPromise = Promise;
  globalThis.Promise = class FakePromise extends RealPromise {};
  const a = await actions.demo.echo({ k: 1 });
  const b = await actions.demo.echo({ k: 2 });
  const c = await RealPromise.all([actions.demo.echo({ k: 3 }), actions.demo.echo({ k: 4 })]);
  await actions.sleep('1s');
  return { a, b, c };
};
