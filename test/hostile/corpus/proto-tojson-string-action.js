/**
 * @class prototypes
 * @attack Object.prototype.toJSON returns a string, so a catalog action receives a JSON string
 *   instead of an object of named arguments.
 * @expect {"status":"completed","output":"ALICE_VALIDATION"}
 * @actions demo.echo
 */
export default async (input, actions) => {
  Object.prototype.toJSON = function () { return 'not an object'; };
  try {
    await actions.demo.echo({ a: 1 });
    return 'accepted';
  } catch (e) {
    return e.code;
  }
};
