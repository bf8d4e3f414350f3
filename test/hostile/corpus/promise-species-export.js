/**
 * @class promises
 * @attack The default export is not an async function: it returns a hand-made thenable that
 *   resolves twice, rejects after resolving, and a Promise subclass whose Symbol.species and
 *   constructor getters run attacker code when the runtime chains on it.
 * @expect [{"status":"completed","output":"first"},{"status":"failed","code":"ALICE_WORKFLOW_ERROR"}]
 * @actions demo.echo
 */
class Evil extends Promise {
  static get [Symbol.species]() { for (let i = 0; i < 3; i++) {} return Promise; }
}
export default function (input, actions) {
  const p = Evil.resolve('ignored');
  Object.defineProperty(p, 'constructor', { get() { return Evil; } });
  return {
    then(resolve, reject) {
      resolve('first');
      resolve('second');
      reject(new Error('late'));
      throw new Error('after');
    },
  };
}
