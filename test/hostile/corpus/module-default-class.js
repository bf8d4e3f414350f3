/**
 * @class modules
 * @attack A default export that is a class (callable only with new) and whose static members
 *   run code when inspected.
 * @expect {"status":"failed","code":"ALICE_WORKFLOW_ERROR"}
 */
export default class Workflow {
  static get name() { return 'not a function'; }
}
