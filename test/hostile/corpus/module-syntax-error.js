/**
 * @class modules
 * @attack A module that does not parse, plus an HTML comment and a hashbang in the middle.
 * @expect [{"refused":"ALICE_BUNDLE_INVALID"},{"status":"failed","code":"ALICE_WORKFLOW_ERROR"}]
 */
export default async () => {
  #!/bin/sh
  return 1;
};
