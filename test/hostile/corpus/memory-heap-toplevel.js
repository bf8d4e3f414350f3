/**
 * @class memory
 * @attack Allocates until out of memory while the module is being evaluated (before any step).
 * @expect {"status":"failed","code":"ALICE_RESOURCE_LIMIT","limit":"heap"}
 * @limits {"heapMiB":16}
 */
const keep = [];
for (;;) keep.push(new Array(64 * 1024).fill(keep.length + 0.5));
export default async () => keep.length;
