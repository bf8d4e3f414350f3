/**
 * @class memory
 * @attack Allocates until the isolate runs out of memory.
 * @expect {"status":"failed","code":"ALICE_RESOURCE_LIMIT","limit":"heap"}
 * @limits {"heapMiB":16}
 * @actions demo.echo
 */
export default async (input, actions) => {
  await actions.demo.echo({ before: 'allocating' });
  const keep = [];
  for (;;) keep.push(new Array(64 * 1024).fill(keep.length + 0.5));
};
