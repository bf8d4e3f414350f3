/**
 * @class scheduler
 * @attack An inline action answers pending at the workflow's call, with nothing else in flight:
 *   the host decides the execution is over (suspended) while the workflow's slice is still
 *   running. The workflow then issues a slow action in the same slice: it must not be started
 *   for an execution that has already ended (its outcome would be refused by the store, since
 *   the run is no longer running, and the step executed a second time by the next execution).
 * @expect {"status":"suspended"}
 * @then {"advance":"1s","expect":{"status":"completed","output":{"a":{"k":1},"b":{"ms":300}}}}
 * @actions host.inlinePending,host.slow
 * @timeout 20000
 */
export default async (input, actions) => {
  const p = actions.host.inlinePending({ k: 1 });
  const q = actions.host.slow({ ms: 300 });
  const [a, b] = await Promise.all([p, q]);
  return { a, b };
};
