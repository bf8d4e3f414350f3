/**
 * @class memory
 * @attack Reserves WebAssembly memory (64 MiB at a time), which lives outside the JavaScript
 *   heap, then writes to it so the host has to provide it.
 * @expect [{"status":"completed","output":{"ok":true}},{"status":"failed","code":"ALICE_RESOURCE_LIMIT","limit":"heap"}]
 * @limits {"heapMiB":16}
 * @actions demo.echo
 */
export default async (input, actions) => {
  if (typeof WebAssembly === 'undefined') return { ok: true };
  const kept = [];
  let mib = 0;
  try {
    for (let k = 0; k < 4; k++) {
      const m = new WebAssembly.Memory({ initial: 1024 });
      new Uint8Array(m.buffer).fill(1, 0, 16 * 1024 * 1024);
      kept.push(m);
      mib += 64;
    }
  } catch (e) {
    return { ok: mib <= 16 };
  }
  return mib <= 16 ? { ok: true } : { ok: false, mib };
};
