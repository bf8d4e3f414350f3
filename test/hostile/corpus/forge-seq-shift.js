/**
 * @class forge
 * @attack Tries to steer which idempotency key an action receives: burns sequence numbers with
 *   calls that fail inside the runtime (bad arguments, a throwing getter during the copy to the
 *   host), interleaves calls from getters, and replays the same arguments so two steps would
 *   share a key if the engine keyed by content.
 * @expect [{"status":"suspended"},{"status":"failed"}]
 * @then {"advance":"1s","expect":[{"status":"completed"},{"status":"failed"}]}
 * @actions demo.echo,idem.key
 */
export default async (input, actions) => {
  const out = [];
  try { await actions.idem.key(null); } catch (e) { out.push(e.code); }
  try { await actions.sleep(-5); } catch (e) { out.push(e.code); }
  const real = JSON.stringify;
  JSON.stringify = (v) => (v === 'burn' ? { get length() { throw new Error('burned'); } } : real(v));
  try { await actions.idem.key({ toJSON() { return 'burn'; } }); } catch (e) { out.push('burn: ' + e.message); }
  JSON.stringify = real;
  out.push(await actions.idem.key({ same: true }));
  out.push(await actions.idem.key({ same: true }));
  await actions.sleep('1s');
  out.push(await actions.idem.key({ same: true }));
  return out.length;
};
