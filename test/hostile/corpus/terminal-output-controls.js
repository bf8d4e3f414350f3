/**
 * @class terminal
 * @attack A run that completes with an output full of the control characters JSON.stringify
 *   leaves as they are: DEL and the C1 range (U+009B is CSI on terminals that honour 8-bit
 *   controls, U+009D OSC, U+0085 NEL a line break), and U+2028/2029. `alice run` prints the
 *   output as JSON on stdout, where the other commands print such text escaped.
 * @expect {"status":"completed"}
 */
export default async () => ({ text: '\u009b2J\u009d0;pwned\u009c\u0085forged line\u007f\u2028\u2029' });
