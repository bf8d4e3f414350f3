// Fan-out / fan-in: fetch many pages at once, then aggregate; and take the fastest of a few
// mirrors.
//
// Concurrent steps complete in any order. The engine records that order, so when this run is
// re-run from the journal (after the pause below, or after a crash) Promise.all and
// Promise.race see exactly what they saw the first time: the same race winner.
import { log, pages, sleep, type Duration, type Workflow } from "alice";

export const workflow = {
  name: "fan-out",
  description: "Fetch pages concurrently and aggregate them; race a few mirrors.",
  triggers: [{ type: "manual" }],
} satisfies Workflow;

interface Input {
  urls: string[];
  mirrors: string[];
  /** A pause before the report (default 100ms). */
  pause?: Duration;
}

export default async function fanOut(input: Input) {
  const fetched = await Promise.all(input.urls.map((url) => pages.fetch({ url })));

  // Any mirror will do: take whichever answers first. The losers still finish (and are
  // journaled), but their results are ignored.
  const fastest = await Promise.race(input.mirrors.map((url) => pages.fetch({ url })));
  log("fastest mirror", fastest.url);

  // Be polite to the sites before reporting; a durable sleep costs nothing while it waits, and
  // the re-run that follows replays everything above from the journal.
  await sleep(input.pause ?? "100ms");

  const words = fetched.reduce((sum, p) => sum + p.words, 0);
  const longest = fetched.reduce((a, b) => (b.words > a.words ? b : a));
  return {
    pages: fetched.length,
    words,
    longest: { url: longest.url, words: longest.words },
    titles: fetched.map((p) => p.title),
    fastestMirror: fastest.url,
  };
}
