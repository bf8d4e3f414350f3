/**
 * @class modules
 * @attack A static import of a Node built-in.
 * @expect [{"refused":"ALICE_BUNDLE_INVALID"},{"status":"failed","code":"ALICE_WORKFLOW_ERROR"}]
 */
import fs from 'node:fs';
export default async () => fs.readFileSync('/etc/passwd', 'utf8');
