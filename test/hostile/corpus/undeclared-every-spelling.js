/**
 * @class undeclared
 * @attack Looks for admin.nuke (in the catalog, not declared by this bundle) under every
 *   spelling: dot, bracket, dotted string, optional chaining, `in`, own keys, symbols,
 *   descriptors, the prototype chain (after polluting Object.prototype and Function.prototype),
 *   Reflect.get with a receiver, and by redefining or re-prototyping the frozen actions object.
 * @expect {"status":"completed","output":{"found":[],"mutations":0}}
 * @actions demo.echo
 */
export default async (input, actions) => {
  Object.prototype.admin = { nuke: () => 'prototype admin' };
  Function.prototype.admin = { nuke: () => 'function prototype admin' };
  const found = [];
  const tries = {
    dot: () => actions.admin,
    bracket: () => actions['admin'],
    dotted: () => actions['admin.nuke'],
    optional: () => actions.admin?.nuke,
    viaDemo: () => actions.demo['../admin'],
    reflect: () => Reflect.get(actions, 'admin', {}),
    proto: () => Object.getPrototypeOf(actions),
    dunder: () => actions.__proto__,
    ctor: () => actions.constructor,
    symbols: () => Object.getOwnPropertySymbols(actions).length || undefined,
    desc: () => Object.getOwnPropertyDescriptor(actions, 'admin'),
    keys: () => Reflect.ownKeys(actions).find((k) => String(k).includes('admin')),
    echoProto: () => Object.getPrototypeOf(actions.demo),
    echoFnAdmin: () => (Object.hasOwn(actions.demo.echo, 'admin') ? actions.demo.echo.admin : undefined),
    json: () => (JSON.stringify(actions).includes('admin') ? 'json' : undefined),
  };
  for (const [name, f] of Object.entries(tries)) {
    let v;
    try { v = f(); } catch { v = undefined; }
    if (v !== undefined && v !== null) found.push(name);
  }
  let mutations = 0;
  for (const m of [
    () => { actions.admin = {}; },
    () => Object.defineProperty(actions, 'admin', { value: {} }),
    () => Object.setPrototypeOf(actions, { admin: {} }),
    () => Object.setPrototypeOf(actions.demo, { nuke: () => 1 }),
    () => { actions.demo.nuke = () => 1; },
    () => { delete actions.sleep; },
  ]) {
    try { m(); mutations++; } catch {}
  }
  if ('admin' in actions || actions.admin !== undefined) found.push('after mutation');
  delete Object.prototype.admin;
  delete Function.prototype.admin;
  return { found, mutations };
};
