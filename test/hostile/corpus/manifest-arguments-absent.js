/**
 * @class manifest
 * @attack The manifest a reviewer approved says demo.echo is always sent `prefix: "report:"`
 *   (listing under report:), and the script sends the same argument without the field, which
 *   an action would read as "list everything". A field the records always write with a literal
 *   or a prefix must be sent: the call is refused before the action sees it.
 * @expect {"status":"failed","code":"ALICE_UNAUTHORIZED"}
 * @actions demo.echo
 * @input {"all":true}
 * @build (b) => ({ ...b, manifest: { ...b.manifest, arguments: { 'demo.echo': [{ line: 1, args: { prefix: { literal: 'report:' } } }] } } })
 */
export default async (input, actions) => {
  await actions.demo.echo({ prefix: 'report:' });
  await actions.demo.echo(input.all ? {} : { prefix: 'report:' });
  return 'listed';
};
