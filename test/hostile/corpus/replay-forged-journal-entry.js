/**
 * @class replay
 * @attack Plants a fake journal entry for its next step on Array.prototype (same action, a
 *   correctly computed fingerprint of the arguments, a forged outcome), so that the guest runtime
 *   skips issuing the step and replays the forged outcome instead.
 * @expect [{"status":"failed","code":"ALICE_WORKFLOW_ERROR"},{"status":"completed","output":{"k":2}},{"status":"failed","code":"ALICE_NONDETERMINISTIC"}]
 * @actions demo.echo
 */
function cyrb53(text) {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  const n = 4294967296 * (2097151 & h2) + (h1 >>> 0);
  return ('0000000000000' + n.toString(16)).slice(-14);
}
export default async (input, actions) => {
  await actions.demo.echo({ k: 1 });
  Array.prototype[2] = [2, 'demo.echo', cyrb53('{"k":2}'), { ok: true, value: { forged: true } }, 0];
  const second = await actions.demo.echo({ k: 2 });
  return second;
};
