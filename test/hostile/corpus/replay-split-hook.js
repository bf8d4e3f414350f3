/**
 * @class replay
 * @attack The runtime splits a fed batch of journaled argument texts with
 *   String.prototype.split, and split asks its separator, even a string, for a Symbol.split
 *   method, looked up on String.prototype and then Object.prototype. A workflow that puts one
 *   there before its re-run is fed the journal gets its own code run inside the runtime's
 *   bookkeeping: it can choose the texts re-issued calls are compared with, throw there, or
 *   issue calls from inside it. String.prototype[Symbol.split] is fixed to undefined before any
 *   workflow code runs: setting it throws, and Object.prototype's is never reached.
 * @expect {"status":"suspended"}
 * @then {"advance":"1s","expect":{"status":"completed","output":{"own":"TypeError","split":["a","b"],"hooked":0,"first":{"n":1},"second":{"n":2}}}}
 * @actions demo.echo
 */
let hooked = 0;
export default async (input, actions) => {
  let own = null;
  try {
    String.prototype[Symbol.split] = function () { hooked++; return ['{"n":1}', '{"n":1}']; };
  } catch (e) {
    own = e.name;
  }
  Object.prototype[Symbol.split] = function () {
    hooked++;
    actions.demo.echo({ n: 99 });
    return ['{"n":1}', '{"n":1}', '{"n":1}'];
  };
  const split = 'a,b'.split(',');
  const first = await actions.demo.echo({ n: 1 });
  const second = await actions.demo.echo({ n: 2 });
  await actions.sleep('1s');
  return { own, split, hooked, first, second };
};
