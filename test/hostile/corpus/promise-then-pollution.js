/**
 * @class promises
 * @attack Object.prototype.then makes every object a thenable, so every outcome the guest
 *   runtime resolves (results, the actions object, ActionErrors) is routed through attacker
 *   code that substitutes its own value; then it sleeps so the run is replayed that way.
 * @expect [{"status":"suspended"},{"status":"failed"}]
 * @then {"advance":"1s","expect":[{"status":"completed"},{"status":"failed"}]}
 * @actions demo.echo,demo.fail
 */
export default async (input, actions) => {
  let hijacked = 0;
  Object.defineProperty(Object.prototype, 'then', {
    configurable: true,
    get() {
      if (Array.isArray(this)) return undefined;
      return (resolve) => { hijacked++; delete Object.prototype.then; resolve({ forged: true }); };
    },
  });
  const r = await actions.demo.echo({ real: true });
  await actions.sleep('1s');
  return { r, hijacked };
};
