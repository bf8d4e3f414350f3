// Alice's chat handler: a user's message → the knowledge base → the LLM → the answer, posted
// to the user's conversation with the passages it cites. A system workflow, written in
// restricted TypeScript and compiled by `alice compile` like any user's workflow.
import { chat, kb, llm, log, type Workflow } from "alice";

export const workflow = {
  name: "alice.chat",
  description: "Answers a user's chat message from the knowledge base, citing its sources.",
  kind: "system",
  triggers: [{ type: "manual" }],
} satisfies Workflow;

interface Input {
  /** The conversation the message belongs to. */
  conversation: string;
  /** What the user wrote. */
  text: string;
}

/** How many passages go into the prompt, and how many earlier messages. */
const passages = 4;
const turns = 6;

const instructions = [
  "You are Alice, an assistant that answers from a knowledge base.",
  "Answer the question using only the numbered passages. Cite each passage you use as [n].",
  "If the passages do not contain the answer, say that you do not know.",
].join(" ");

export default async function (input: Input) {
  const earlier = await chat.history({ conversation: input.conversation, limit: turns });
  await chat.post({ conversation: input.conversation, role: "user", text: input.text });
  const found = await kb.search({ query: input.text, limit: passages });
  const context = found.hits.map((h, i) => `[${i + 1}] ${h.title ?? h.id}\n${h.text}`).join("\n\n");
  const history = earlier.messages
    .filter((m) => m.role !== "system")
    .map((m) => ({ role: m.role === "user" ? ("user" as const) : ("assistant" as const), content: m.text }));
  const reply = await llm.chat({
    messages: [
      { role: "system", content: instructions },
      ...history,
      { role: "user", content: `Passages:\n\n${context === "" ? "(none found)" : context}\n\nQuestion: ${input.text}` },
    ],
  });
  const cited = found.hits.filter((h, i) => reply.content.includes(`[${i + 1}]`));
  const sources = cited.map((h) => ({ id: h.id, title: h.title ?? h.id }));
  const posted = await chat.post({ conversation: input.conversation, text: reply.content, sources });
  log(`answered with ${found.hits.length} passages found, ${cited.length} cited`);
  return { conversation: input.conversation, seq: posted.seq, answer: reply.content, sources };
}
