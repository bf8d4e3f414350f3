/**
 * @class prototypes
 * @attack Builds code at run time with Function, AsyncFunction, GeneratorFunction,
 *   AsyncGeneratorFunction and indirect eval, reaching for host objects (process, require,
 *   import) from code the static checker never saw.
 * @expect {"status":"completed","output":{"ok":true}}
 * @actions demo.echo
 */
export default async (input, actions) => {
  const AsyncFunction = (async () => {}).constructor;
  const GeneratorFunction = function* () {}.constructor;
  const AsyncGeneratorFunction = async function* () {}.constructor;
  // Each either is refused (EvalError: no code from strings in a workflow) or, were it not,
  // must see no host object.
  const probe = async (make) => {
    try { return await make(); } catch (e) { if (e instanceof EvalError) return 'refused'; throw e; }
  };
  const probes = [
    await probe(() => Function('return [typeof process, typeof require, typeof module, typeof Buffer]')()),
    await probe(() => AsyncFunction('return [typeof process, typeof require, typeof module, typeof Buffer]')()),
    await probe(() => GeneratorFunction('yield [typeof process, typeof require, typeof module, typeof Buffer]')().next().value),
    await probe(async () => (await AsyncGeneratorFunction('yield [typeof process, typeof require, typeof module, typeof Buffer]')().next()).value),
    await probe(() => (0, eval)('[typeof process, typeof require, typeof module, typeof Buffer]')),
  ];
  let dyn;
  try { dyn = await AsyncFunction('return import("node:fs")')(); } catch (e) { dyn = 'refused'; }
  const ok = probes.every((p) => p === 'refused' || p.every((t) => t === 'undefined')) && dyn === 'refused';
  return ok ? { ok: true } : { ok: false, probes, dyn: String(dyn) };
};
