/**
 * @class suspend
 * @attack `finally { return x }` around a sleep, nested in an async helper, with a catch that
 *   also returns.
 * @expect {"status":"suspended"}
 * @then {"advance":"1h","expect":{"status":"completed","output":"finally"}}
 */
export default async (input, actions) => {
  const inner = async () => {
    try { await actions.sleep('1h'); return 'try'; } catch { return 'catch'; } finally { return 'finally'; }
  };
  return inner();
};
