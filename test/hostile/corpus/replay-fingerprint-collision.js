/**
 * @class replay
 * @attack Patches the intrinsics the guest runtime's fingerprint uses (charCodeAt, Math.imul,
 *   Number.prototype.toString) so every call fingerprints alike, then issues different arguments
 *   on the re-run (wall-clock dependent) so that a journaled outcome is replayed for a call it
 *   does not belong to.
 * @expect [{"status":"suspended"},{"status":"failed"}]
 * @then {"advance":"1s","expect":[{"status":"completed"},{"status":"failed"}]}
 * @actions demo.echo
 */
export default async (input, actions) => {
  String.prototype.charCodeAt = () => 7;
  Math.imul = () => 1;
  Number.prototype.toString = function () { return '00000000000000'; };
  const wall = new Intl.DateTimeFormat('en', { hour: 'numeric', minute: 'numeric', second: 'numeric', fractionalSecondDigits: 3, timeZone: 'UTC' }).format();
  const r = await actions.demo.echo({ wall });
  await actions.sleep('1s');
  return r;
};
