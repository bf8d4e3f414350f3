// Fan-out / fan-in: fetch many pages at once, then aggregate; and take the fastest of a few
// mirrors.
//
// Concurrent steps complete in any order. The engine records that order, so when this run is
// re-run from the journal (after the pause below, or after a crash) Promise.all and
// Promise.race see exactly what they saw the first time: the same race winner.
export default async (input, actions) => {
  const pages = await Promise.all(input.urls.map((url) => actions.pages.fetch({ url })));

  // Any mirror will do: take whichever answers first. The losers still finish (and are
  // journaled), but their results are ignored.
  const fastest = await Promise.race((input.mirrors ?? []).map((url) => actions.pages.fetch({ url })));
  actions.log('fastest mirror', fastest.url);

  // Be polite to the sites before reporting; a durable sleep costs nothing while it waits, and
  // the re-run that follows replays everything above from the journal.
  await actions.sleep(input.pause ?? '100ms');

  const words = pages.reduce((sum, p) => sum + p.words, 0);
  const longest = pages.reduce((a, b) => (b.words > a.words ? b : a));
  return {
    pages: pages.length,
    words,
    longest: { url: longest.url, words: longest.words },
    titles: pages.map((p) => p.title),
    fastestMirror: fastest.url,
  };
};
