/**
 * @class promises
 * @attack The default export returns a real promise whose `constructor` getter throws a Proxy
 *   with traps that never return: the runtime's Promise.resolve/then on the result reads
 *   `constructor` outside the workflow's own try/catch, so the throw escapes to the host.
 * @expect [{"status":"failed","code":"ALICE_WORKFLOW_ERROR"},{"status":"failed","code":"ALICE_RESOURCE_LIMIT","limit":"cpu"}]
 * @limits {"cpuMs":100}
 */
export default function () {
  const spin = () => { for (;;) {} };
  const hostile = new Proxy({}, { get: spin, getPrototypeOf: spin, ownKeys: spin, getOwnPropertyDescriptor: spin, has: spin });
  const p = Promise.resolve('value');
  Object.defineProperty(p, 'constructor', { get() { throw hostile; } });
  return p;
}
