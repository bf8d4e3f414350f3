/**
 * @class memory
 * @attack Allocates ArrayBuffers (outside the object heap) until allocation fails, and keeps
 *   them.
 * @expect [{"status":"completed","output":{"ok":true}},{"status":"failed","code":"ALICE_RESOURCE_LIMIT","limit":"heap"}]
 * @limits {"heapMiB":16}
 * @actions demo.echo
 */
export default async (input, actions) => {
  const kept = [];
  let mib = 0;
  try {
    for (let k = 0; k < 64; k++) { const b = new ArrayBuffer(8 * 1024 * 1024); new Uint8Array(b).fill(1); kept.push(b); mib += 8; }
  } catch (e) {}
  return mib <= 32 ? { ok: true } : { ok: false, mib };
};
