/**
 * @class scheduler
 * @attack Durations the scheduler may not expect: huge sleeps, negative and fractional ms,
 *   Infinity, NaN, numeric strings, overflowing units, and timeouts of the same.
 * @expect {"status":"suspended"}
 * @actions demo.echo
 */
export default async (input, actions) => {
  const out = [];
  for (const d of [-1, NaN, Infinity, '1e400d', '99999999999999999w', 'P1D', '', ' ', '1h 1h', 1e300, '0.0001ms']) {
    try { out.push(await Promise.race([actions.sleep(d).then(() => 'slept'), actions.demo.echo({}).then(() => 'raced')])); } catch (e) { out.push(e.code); }
  }
  actions.log(JSON.stringify(out));
  await actions.sleep(8.64e15);
  return out;
};
