/**
 * Generated restricted-TypeScript workflows of about 100 lines each, for the `check` figures:
 * realistic code (an input interface, helpers that call actions, a loop, concurrent steps, a
 * catch that rethrows, template strings), different in every file, and clean under the checker
 * so the figures time a pass over valid code as CI would run it.
 */
export function generatedWorkflow(i: number): string {
  const n = `w${i}`;
  return `// Generated workflow ${i} for the check benchmark.
import { ActionError, kv, email, pages, sleep, log, now, type Workflow } from "alice";

export const workflow = {
  name: "bench-${n}",
  description: "Generated workflow ${i}: read, fetch, aggregate, store, notify.",
  triggers: [{ type: "event", event: "bench.${n}", match: { shard: ${i % 7} } }],
} satisfies Workflow;

interface Item${i} {
  /** The item's id. */
  id: string;
  url: string;
  weight?: number;
}

interface Input {
  customer: string;
  items: Item${i}[];
  retries?: number;
  note?: string;
}

interface Summary {
  pages: number;
  words: number;
  heaviest: string | null;
  at: number;
}

function keyFor(customer: string, suffix: string): string {
  return \`${n}:\${customer}:\${suffix}\`;
}

function weightOf(item: Item${i}): number {
  return item.weight ?? ${(i % 5) + 1};
}

async function remember(customer: string, summary: Summary): Promise<void> {
  await kv.set({ key: keyFor(customer, "summary"), value: { ...summary } });
}

async function previous(customer: string): Promise<number> {
  const stored = await kv.get({ key: keyFor(customer, "count") });
  return typeof stored === "number" ? stored : 0;
}

async function fetchAll(items: Item${i}[]): Promise<Array<{ url: string; words: number }>> {
  const fetched = await Promise.all(items.map((item) => pages.fetch({ url: item.url })));
  return fetched.map((page) => ({ url: page.url, words: page.words }));
}

function heaviest(items: Item${i}[]): string | null {
  let best: Item${i} | null = null;
  for (const item of items) {
    if (best === null || weightOf(item) > weightOf(best)) best = item;
  }
  return best === null ? null : best.id;
}

export default async function run${i}(input: Input) {
  const count = await previous(input.customer);
  log("starting", input.customer, "after", count, "runs");
  let fetched: Array<{ url: string; words: number }> = [];
  for (let attempt = 0; attempt <= (input.retries ?? 1); attempt++) {
    try {
      fetched = await fetchAll(input.items);
      break;
    } catch (err) {
      if (err instanceof ActionError && err.code === "TIMEOUT") {
        await sleep("${(i % 9) + 1}s");
        continue;
      }
      throw err;
    }
  }
  const words = fetched.reduce((sum, page) => sum + page.words, 0);
  const summary: Summary = { pages: fetched.length, words, heaviest: heaviest(input.items), at: now() };
  await remember(input.customer, summary);
  await kv.set({ key: keyFor(input.customer, "count"), value: count + 1 });
  if (words > ${100 + i}) {
    const sent = await email.send({
      to: \`\${input.customer}@example.com\`,
      subject: \`Report ${i}: \${summary.pages} pages\`,
      text: \`\${words} words; heaviest item \${summary.heaviest ?? "none"}. \${input.note ?? ""}\`,
    });
    log("sent", sent.messageId);
  }
  const labels: string[] = [];
  for (const page of fetched) {
    const label = page.words > ${50 + (i % 13)} ? "long" : "short";
    labels.push(\`\${page.url}=\${label}\`);
  }
  return { ...summary, labels, count: count + 1 };
}
`;
}
