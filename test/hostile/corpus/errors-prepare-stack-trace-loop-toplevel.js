/**
 * @class errors
 * @attack Same as errors-prepare-stack-trace-loop, but at module top level: the error escapes
 *   module evaluation, which the host performs itself.
 * @expect [{"status":"failed","code":"ALICE_RESOURCE_LIMIT","limit":"cpu"},{"status":"failed","code":"ALICE_WORKFLOW_ERROR"}]
 * @limits {"cpuMs":100}
 */
Error.prepareStackTrace = () => { for (;;) {} };
throw new Error('format me at load time');
export default async () => 1;
