/**
 * @class errors
 * @attack Throws, while the module is evaluated, an object whose `message` getter never returns
 *   (and a Proxy whose traps never return): whoever copies the exception out of the sandbox runs
 *   the getter.
 * @expect [{"status":"failed","code":"ALICE_WORKFLOW_ERROR"},{"status":"failed","code":"ALICE_RESOURCE_LIMIT","limit":"cpu"}]
 * @limits {"cpuMs":100}
 */
throw { get message() { for (;;) {} }, get stack() { for (;;) {} }, get name() { for (;;) {} } };
export default async () => 1;
