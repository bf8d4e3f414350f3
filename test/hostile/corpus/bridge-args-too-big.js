/**
 * @class bridge
 * @attack Action arguments over the bridge limit: in multi-byte characters (under the limit in
 *   characters), so only a byte count catches them.
 * @expect {"status":"failed","code":"ALICE_RESOURCE_LIMIT","limit":"bridge-bytes"}
 * @limits {"bridgeBytes":65536}
 * @actions demo.echo
 */
export default async (input, actions) => actions.demo.echo({ s: '€'.repeat(30000) });
