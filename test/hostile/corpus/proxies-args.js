/**
 * @class getters
 * @attack Proxies as arguments: ownKeys that lies (duplicates, keys that do not exist), a get
 *   trap that answers differently per read, a revoked proxy, and a proxy around the actions
 *   object passed back into an action.
 * @expect [{"status":"suspended"},{"status":"failed"}]
 * @then {"advance":"1s","expect":[{"status":"completed"},{"status":"failed"}]}
 * @actions demo.echo
 */
export default async (input, actions) => {
  const out = [];
  const lying = new Proxy({}, {
    ownKeys: () => ['a', 'b', 'a'],
    getOwnPropertyDescriptor: () => ({ value: 1, enumerable: true, configurable: true }),
    get: (t, k) => (k === 'toJSON' ? undefined : Math.random()),
  });
  const revocable = Proxy.revocable({}, {});
  revocable.revoke();
  for (const arg of [lying, revocable.proxy, new Proxy(actions, {}), new Proxy({ a: 1 }, { get: () => { throw new Error('trap'); } })]) {
    try { out.push(await actions.demo.echo(arg)); } catch (e) { out.push(e.code ?? String(e)); }
  }
  await actions.sleep('1s');
  return out;
};
