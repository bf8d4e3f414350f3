/**
 * @class memory
 * @attack Doubles a string without bound, and builds huge arrays of strings, hoping to exhaust
 *   memory through the string table rather than objects.
 * @expect [{"status":"failed","code":"ALICE_RESOURCE_LIMIT","limit":"heap"},{"status":"failed","code":"ALICE_WORKFLOW_ERROR"}]
 * @limits {"heapMiB":16}
 * @actions demo.echo
 */
export default async (input, actions) => {
  await actions.demo.echo({});
  let s = 'x';
  const keep = [];
  for (;;) { s = s + s; keep.push(s + keep.length); }
};
