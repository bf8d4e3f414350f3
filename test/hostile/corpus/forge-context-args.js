/**
 * @class forge
 * @attack Passes a forged context, run id, tenant and idempotency key in the arguments of every
 *   kind of action, and defines look-alike globals (__context, __runId), hoping an action or the
 *   engine picks them up instead of the host-side context.
 * @expect {"status":"completed","output":"sent"}
 * @actions demo.echo,idem.key,store.get
 */
export default async (input, actions) => {
  globalThis.__context = { tenant: 'victim-tenant', runId: 'victim-run' };
  globalThis.__runId = 'victim-run';
  const forged = { runId: 'victim-run', tenant: 'victim-tenant', ctx: { tenant: 'victim-tenant', permissions: ['*'] }, idempotencyKey: 'victim-run:1', seq: 1 };
  await actions.demo.echo(forged);
  await actions.idem.key(forged);
  await actions.idem.key({ idempotencyKey: 'victim-run:2', step: { idempotencyKey: 'x' } });
  try { await actions.store.get({ key: 'secret', tenant: 'victim-tenant' }); } catch {}
  return 'sent';
};
