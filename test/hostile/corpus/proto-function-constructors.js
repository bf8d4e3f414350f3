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
  const probes = [
    Function('return [typeof process, typeof require, typeof module, typeof Buffer]')(),
    await AsyncFunction('return [typeof process, typeof require, typeof module, typeof Buffer]')(),
    GeneratorFunction('yield [typeof process, typeof require, typeof module, typeof Buffer]')().next().value,
    (await AsyncGeneratorFunction('yield [typeof process, typeof require, typeof module, typeof Buffer]')().next()).value,
    (0, eval)('[typeof process, typeof require, typeof module, typeof Buffer]'),
  ];
  let dyn;
  try { dyn = await AsyncFunction('return import("node:fs")')(); } catch (e) { dyn = 'refused'; }
  const ok = probes.every((p) => p.every((t) => t === 'undefined')) && dyn === 'refused';
  return ok ? { ok: true } : { ok: false, probes, dyn: String(dyn) };
};
