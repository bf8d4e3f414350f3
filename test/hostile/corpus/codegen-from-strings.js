/**
 * @class codegen
 * @attack Code from strings by every route to the Function constructors and eval: the global
 * Function and eval, the constructor of a plain, async, generator and async generator function,
 * a class's constructor, a prototype swapped onto an object, Reflect.construct, and a direct eval;
 * plus what must keep working (instanceof Function, Function.prototype's methods).
 * @expect {"status":"completed","output":{"refused":["Function","new Function","eval","direct eval","plain","async","generator","async generator","class","swapped prototype","Reflect.construct","bound"],"kept":[true,true,true,"Function",3]}}
 */
export default async () => {
  const attempts = {
    Function: () => Function('return 1')(),
    'new Function': () => new Function('return 1')(),
    eval: () => (0, eval)('1'),
    'direct eval': () => eval('1'),
    plain: () => (function () {}).constructor('return 1')(),
    async: () => (async function () {}).constructor('return 1')(),
    generator: () => (function* () {}).constructor('yield 1')().next(),
    'async generator': () => (async function* () {}).constructor('yield 1')(),
    class: () => (class {}).constructor('return 1')(),
    'swapped prototype': () => { const o = {}; Object.setPrototypeOf(o, Object.getPrototypeOf(Math.max)); return o.constructor('return 1')(); },
    'Reflect.construct': () => Reflect.construct(Object.getPrototypeOf(() => 0).constructor, ['return 1'])(),
    bound: () => Function.prototype.constructor.bind(null, 'return 1')()(),
  };
  const refused = [];
  for (const [name, attempt] of Object.entries(attempts)) {
    try {
      attempt();
    } catch (err) {
      if (err instanceof EvalError) refused.push(name);
    }
  }
  const kept = [(() => 0) instanceof Function, (async () => 0) instanceof Function, Object.prototype.toString.call(Function.prototype) === '[object Function]', Function.name, ((a, b) => a + b).call.call((a, b) => a + b, null, 1, 2)];
  return { refused, kept };
};
