/**
 * @class replay
 * @attack Promise.race and Promise.any over inline steps (kv.get, answered at the call when
 *   few runs execute) and ordinary ones (demo.echo with 60 kB results, demo.fail), 30 rounds,
 *   with a heap limit small enough that the re-run's journal is fed as two streams (ordinary
 *   and inline) rather than one. Which promise wins each round, and which error or result each
 *   combinator sees, is journaled and then compared on the re-run after a sleep: a re-run that
 *   delivers outcomes in another order takes another path, which the journal check reports.
 * @expect {"status":"suspended"}
 * @then {"advance":"2s","expect":{"status":"completed","output":{"same":true}}}
 * @actions demo.echo, demo.fail, kv.get
 * @requires stdlib
 * @limits {"heapMiB":16}
 */
export default async (input, actions) => {
  const big = 'x'.repeat(60000);
  const seen = [];
  for (let i = 0; i < 30; i++) {
    const ordinary = actions.demo.echo({ i, big });
    const inline = actions.kv.get({ key: 'k' + i });
    const failing = actions.demo.fail({ i });
    seen.push(await Promise.race([ordinary.then(() => 'ordinary'), inline.then(() => 'inline'), failing.then(() => 'failed', () => 'rejected')]));
    seen.push(await Promise.any([failing, inline.then(() => 'inline-any'), ordinary.then(() => 'ordinary-any')]));
    await Promise.allSettled([ordinary, inline, failing]);
  }
  const journaled = await actions.demo.echo({ seen });
  await actions.sleep('1s');
  return { same: JSON.stringify(journaled.seen) === JSON.stringify(seen) };
};
