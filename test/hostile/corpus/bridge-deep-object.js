/**
 * @class bridge
 * @attack Sends an argument nested 100,000 levels deep (a real object, not a patched
 *   serializer), to overflow a stack while the sandbox or the host serializes, parses, hashes
 *   or re-serializes it, then catches the refusal and tries again after a step.
 * @expect {"status":"completed","output":["ALICE_INVALID_VALUE","ALICE_INVALID_VALUE"]}
 * @limits {"cpuMs":5000}
 * @actions demo.echo
 */
export default async (input, actions) => {
  let deep = [];
  for (let i = 0; i < 100000; i++) deep = [deep];
  const codes = [];
  try { await actions.demo.echo({ deep }); } catch (e) { codes.push(e.code); }
  await actions.demo.echo({ between: true });
  try { await actions.demo.echo({ deep: { again: deep } }); } catch (e) { codes.push(e.code); }
  return codes;
};
