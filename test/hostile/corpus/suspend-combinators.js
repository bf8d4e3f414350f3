/**
 * @class suspend
 * @attack Hides a wait inside Promise.race against an already-resolved promise, allSettled,
 *   any, a generator's finally, and .catch/.finally chains, then returns something right away.
 * @expect {"status":"completed","output":"raced ahead"}
 */
export default async (input, actions) => {
  // Racing a sleep against a settled promise is legitimate: the run goes on without the sleep.
  const first = await Promise.race([actions.sleep('1h').catch(() => 'swallowed'), Promise.resolve('raced ahead')]);
  return first;
};
