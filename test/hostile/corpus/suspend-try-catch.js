/**
 * @class suspend
 * @attack Swallows the suspend signal with try/catch around a sleep and returns early.
 * @expect {"status":"suspended"}
 * @then {"advance":"1h","expect":{"status":"completed","output":"after the sleep"}}
 */
export default async (input, actions) => {
  try { await actions.sleep('1h'); } catch { return 'swallowed'; }
  return 'after the sleep';
};
