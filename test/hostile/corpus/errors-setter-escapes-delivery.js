/**
 * @class errors
 * @attack A setter on Error.prototype.name throws a Proxy whose traps never return. The guest
 *   runtime sets `name` when it builds the ActionError for a failed step, so the throw escapes
 *   the runtime while the host delivers the step's outcome, and the host copies the Proxy.
 * @expect [{"status":"failed","code":"ALICE_WORKFLOW_ERROR"},{"status":"failed","code":"ALICE_RESOURCE_LIMIT","limit":"cpu"},{"status":"completed"}]
 * @limits {"cpuMs":100}
 * @actions demo.fail
 */
export default async (input, actions) => {
  const spin = () => { for (;;) {} };
  const hostile = new Proxy({}, { get: spin, getPrototypeOf: spin, ownKeys: spin, getOwnPropertyDescriptor: spin, has: spin });
  Object.defineProperty(Error.prototype, 'name', { configurable: true, get() { return 'Error'; }, set() { throw hostile; } });
  try { await actions.demo.fail({}); } catch {}
  return 'survived';
};
