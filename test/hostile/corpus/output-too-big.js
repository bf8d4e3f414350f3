/**
 * @class output
 * @attack Returns an output over the bridge limit, in multi-byte characters.
 * @expect {"status":"failed","code":"ALICE_RESOURCE_LIMIT","limit":"bridge-bytes"}
 * @limits {"bridgeBytes":65536}
 */
export default async () => '€'.repeat(30000);
