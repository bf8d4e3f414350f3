/**
 * @class manifest
 * @attack An action list with one action many times over (and the same action listed in
 *   different orders on redeploy): the duplicates must neither make the action run twice per
 *   call, nor give the guest two handles, nor make a second deploy of the same bundle a new
 *   version.
 * @expect {"status":"completed","output":{"keys":["echo"],"a":1,"b":2}}
 * @actions demo.echo
 * @build (b) => ({ ...b, manifest: { ...b.manifest, actions: ['demo.echo', 'demo.echo', 'demo.echo', 'demo.echo'] } })
 */
export default async (input, actions) => {
  const a = await actions.demo.echo({ v: 1 });
  const b = await actions.demo.echo({ v: 2 });
  return { keys: Object.keys(actions.demo), a: a.v, b: b.v };
};
