/**
 * @class errors
 * @attack Throws values that are hard to describe: a Proxy whose traps throw, an object whose
 *   name/message/stack getters throw or return objects, a revoked proxy — hoping the engine's
 *   error reporting crashes or leaks.
 * @expect {"status":"failed","code":"ALICE_WORKFLOW_ERROR"}
 * @actions demo.echo
 */
export default async (input, actions) => {
  await actions.demo.echo({});
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  const nasty = new Proxy({}, {
    get() { throw new Error('get trap'); },
    getOwnPropertyDescriptor() { throw new Error('gopd trap'); },
    ownKeys() { throw new Error('ownKeys trap'); },
    getPrototypeOf() { throw new Error('proto trap'); },
    has() { throw new Error('has trap'); },
  });
  const which = [nasty, proxy][0];
  void proxy;
  throw which;
};
