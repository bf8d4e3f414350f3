import type { ActionDefinition } from '../../runtime/index.js';
import { stdAction, Type, type Static } from '../schema.js';
import { throughCache } from './cache.js';
import { defaultRequestTimeoutMs, llmRetry, resolveConfig } from './config.js';
import { maxContentChars, ModelName, Usage, type LlmFamily } from './shared.js';

export const LlmMessage = Type.Object(
  {
    role: Type.Union([Type.Literal('system'), Type.Literal('user'), Type.Literal('assistant')]),
    content: Type.String({ maxLength: maxContentChars }),
  },
  { additionalProperties: false },
);

export const LlmChatInput = Type.Object(
  {
    messages: Type.Array(LlmMessage, { minItems: 1, maxItems: 500 }),
    model: Type.Optional(ModelName),
    temperature: Type.Optional(Type.Number({ minimum: 0, maximum: 2 })),
    maxTokens: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
    json: Type.Optional(Type.Boolean({ description: "Ask for a JSON object (response_format json_object); mention JSON in the prompt. content is still text: parse it." })),
  },
  { additionalProperties: false },
);
export type LlmChatArgs = Static<typeof LlmChatInput>;

export const LlmChatOutput = Type.Object({
  content: Type.String(),
  model: Type.String(),
  finishReason: Type.String({ description: "'stop', or 'length' when maxTokens cut the answer." }),
  usage: Usage,
});
export type LlmChatResult = Static<typeof LlmChatOutput>;

/**
 * `llm.chat({ messages, model?, temperature?, maxTokens?, json? })`: one chat completion from the
 * configured OpenAI-compatible endpoint.
 *
 * @example const { content } = await actions.llm.chat({ messages: [{ role: 'user', content: 'Hello' }] });
 */
export default function llmChat(family: LlmFamily): ActionDefinition<LlmChatArgs, LlmChatResult> {
  const requestMs = family.options.timeout ?? defaultRequestTimeoutMs;
  return stdAction({
    name: 'llm.chat',
    description: 'Asks the configured LLM for one chat completion; returns its text, model, finish reason and token usage.',
    input: LlmChatInput,
    output: LlmChatOutput,
    permission: 'llm:use',
    // Idempotency: the answer is cached under the step's idempotency key until the run is
    // finalized, so a step re-executed after a crash returns the same answer without a second
    // (paid, different) call. 429/5xx/timeouts are retried by the engine with backoff.
    retry: { ...llmRetry, ...family.options.retry },
    // The key is not an argument, so no argument or result field is secret; it is scrubbed from
    // every error the client raises (see client.ts).
    secret: [],
    // One request, bounded by its own timeout; the action's deadline only backs it up.
    timeout: requestMs + 15_000,
    run: async (args, ctx, step) => {
      family.env.tenants.require(ctx);
      return throughCache(family.cache, step, 'llm.chat', args, () => family.env.now?.() ?? Date.now(), async () => {
        const config = resolveConfig(family.options, args.model);
        return family.client.chat(config, {
          messages: args.messages,
          temperature: args.temperature,
          maxTokens: args.maxTokens,
          responseFormat: args.json === true ? { type: 'json_object' } : undefined,
          idempotencyKey: step.idempotencyKey,
        });
      });
    },
    finalize: (_ctx, run) => {
      family.cache.deleteRun(run.id, 'llm.chat');
    },
  });
}
