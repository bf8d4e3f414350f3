/**
 * @class forge
 * @attack Tries to learn the run id, tenant or idempotency key from everything observable:
 *   globals, descriptors, the PRNG sequence, the clock, the module's own source and URL,
 *   import.meta, function sources of the bridge, error messages and stacks; and writes all of it
 *   to its output and log, where a confederate could read it.
 * @expect {"status":"completed"}
 * @actions demo.echo,demo.fail
 */
export default async (input, actions) => {
  const seen = [];
  seen.push(JSON.stringify(import.meta ?? null));
  for (const k of Reflect.ownKeys(globalThis)) seen.push(String(k));
  for (const k of Reflect.ownKeys(actions)) { seen.push(String(k)); try { seen.push(String(actions[k])); } catch { seen.push(JSON.stringify(actions[k])); } }
  seen.push(String(actions.demo.echo), String(ActionError), String(Date), String(Math.random));
  seen.push(String(Array.from({ length: 8 }, () => Math.random())), String(Date.now()), new Date().toString());
  seen.push(new Error('where am i').stack);
  try { await actions.demo.fail({}); } catch (e) { seen.push(e.message, e.stack, JSON.stringify(e)); }
  const r = await actions.demo.echo({ who: 'am i' });
  seen.push(JSON.stringify(r));
  const text = seen.join('\n');
  actions.log(text.slice(0, 50000));
  return text.slice(0, 200000);
};
