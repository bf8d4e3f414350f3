/**
 * @class memory
 * @attack A resizable ArrayBuffer reserves its maximum (2 GiB) up front and commits memory as it
 *   grows: grown to 1 GiB, it would be host memory the heap limit never counted.
 * @expect [{"status":"completed","output":{"ok":true}},{"status":"failed","code":"ALICE_RESOURCE_LIMIT","limit":"heap"}]
 * @limits {"heapMiB":16}
 */
export default async () => {
  let mib = 0;
  const kept = [];
  try {
    const r = new ArrayBuffer(1024, { maxByteLength: 2 ** 31 });
    kept.push(r);
    for (let k = 1; k <= 16; k++) { r.resize(k * 64 * 1024 * 1024); mib = r.byteLength / 1048576; }
  } catch (e) {}
  return mib <= 32 ? { ok: true } : { ok: false, mib };
};
