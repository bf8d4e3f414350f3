/**
 * @class suspend
 * @attack Wraps waitForEvent and a pending action answer in try/catch/finally-return, and calls
 *   the wait from a getter, a thenable and a microtask, so the wait is issued from odd places.
 * @expect {"status":"suspended"}
 * @then {"event":{"type":"go","data":{"n":1}},"expect":{"status":"completed","output":{"n":1}}}
 */
export default async (input, actions) => {
  const thenable = { then(resolve) { resolve(actions.waitForEvent('go')); } };
  try {
    const e = await thenable;
    return e.data;
  } catch {
    return 'swallowed';
  } finally {
    void 0;
  }
};
