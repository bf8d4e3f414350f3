/**
 * @class terminal
 * @attack A `hosts` list whose first pattern holds C1 controls and DEL (U+009B is CSI on
 *   terminals that honour 8-bit controls), then a bare `*`, a port range and an IPv6 wildcard.
 *   Deploy refuses the list, quoting the pattern with JSON.stringify, which leaves C1 controls
 *   and DEL as they are; `alice run` prints the refusal on stderr.
 * @expect {"refused":"ALICE_BUNDLE_INVALID"}
 * @build (b) => ({ ...b, manifest: { ...b.manifest, hosts: ['\u009b2J\u009d0;pwned\u009c\u007f.example.com', '*', 'api.example.com:1-65535', '*.[::1]'] } })
 */
export default async (input) => input;
