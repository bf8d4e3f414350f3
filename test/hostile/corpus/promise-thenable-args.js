/**
 * @class promises
 * @attack Passes thenables and promises as action arguments and as argument fields, including a
 *   thenable that calls back into actions and one that never settles.
 * @expect {"status":"completed","output":{"ok":true}}
 * @actions demo.echo
 */
export default async (input, actions) => {
  const reentrant = { then(resolve) { actions.demo.echo({ inner: true }).then(resolve); } };
  const r1 = await actions.demo.echo({ p: Promise.resolve(1), t: { then() {} }, r: reentrant });
  let r2;
  try { r2 = await actions.demo.echo(Promise.resolve({ a: 1 })); } catch (e) { r2 = e.code; }
  const r3 = await actions.demo.echo({ then: 'just a field' });
  const ok = JSON.stringify(r1) === '{"p":{},"r":{},"t":{}}' && r3.then === 'just a field';
  return ok ? { ok: true } : { ok: false, r1, r2, r3 };
};
