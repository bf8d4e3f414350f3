import { ActionFailure, type ActionDefinition } from '../../runtime/index.js';
import { StdCodes } from '../codes.js';
import { stdAction, Type, type Static } from '../schema.js';
import { throughCache } from './cache.js';
import { scrubValue, type LlmMessage, type LlmUsage } from './client.js';
import { defaultRequestTimeoutMs, llmRetry, resolveConfig } from './config.js';
import { checkAnswer } from './json-check.js';
import { maxContentChars, ModelName, Usage, type LlmFamily } from './shared.js';

/** Most repair requests `llm.extract` may make after the first answer. */
export const maxRepairsLimit = 3;

export const LlmExtractInput = Type.Object(
  {
    instructions: Type.String({ minLength: 1, maxLength: maxContentChars, description: 'What to extract, in words.' }),
    text: Type.Optional(Type.String({ maxLength: maxContentChars, description: 'The text to extract from.' })),
    schema: Type.Object({}, { additionalProperties: true, description: 'JSON Schema (draft-07) the result must satisfy.' }),
    model: Type.Optional(ModelName),
    maxRepairs: Type.Optional(Type.Integer({ minimum: 0, maximum: maxRepairsLimit, description: 'Repair requests after an invalid answer (default 1).' })),
  },
  { additionalProperties: false },
);
export type LlmExtractArgs = Static<typeof LlmExtractInput>;

export const LlmExtractOutput = Type.Object({
  data: Type.Unknown({ description: 'The answer, valid against `schema`.' }),
  model: Type.String(),
  repairs: Type.Integer({ minimum: 0, description: 'Repair requests it took (0: the first answer was valid).' }),
  usage: Usage,
});
export type LlmExtractResult = Static<typeof LlmExtractOutput>;

const directive = 'Answer with one JSON value and nothing else: no prose, no Markdown, no code fences. It must be valid against this JSON Schema:';

/**
 * `llm.extract({ instructions, text?, schema, model?, maxRepairs? })`: structured output. Asks
 * for JSON (response_format), parses the answer and validates it against `schema`; an invalid
 * answer gets up to `maxRepairs` repair requests carrying the answer and its exact errors.
 *
 * @example
 * const { data } = await actions.llm.extract({
 *   instructions: 'Extract the contact.', text: mail,
 *   schema: { type: 'object', properties: { email: { type: 'string' } }, required: ['email'] },
 * });
 */
export default function llmExtract(family: LlmFamily): ActionDefinition<LlmExtractArgs, LlmExtractResult> {
  const requestMs = family.options.timeout ?? defaultRequestTimeoutMs;
  const jsonMode = family.options.jsonMode ?? 'json_schema';
  return stdAction({
    name: 'llm.extract',
    description: 'Asks the configured LLM for JSON valid against a JSON Schema; validates it and asks for a bounded number of repairs.',
    input: LlmExtractInput,
    output: LlmExtractOutput,
    permission: 'llm:use',
    // Idempotency as llm.chat: the outcome (result or LLM_BAD_OUTPUT) is cached under the
    // step's idempotency key until finalization; transient failures are retried by the engine.
    retry: { ...llmRetry, ...family.options.retry },
    secret: [],
    // The first request and every possible repair, each bounded by its own timeout.
    timeout: requestMs * (maxRepairsLimit + 1) + 15_000,
    run: async (args, ctx, step) => {
      family.env.tenants.require(ctx);
      // A bad schema is the workflow's mistake: refuse it before any call (and before the cache).
      const validate = family.checker.validator(args.schema);
      return throughCache(family.cache, step, 'llm.extract', args, () => family.env.now?.() ?? Date.now(), async () => {
        const config = resolveConfig(family.options, args.model);
        const schemaText = JSON.stringify(args.schema);
        const messages: LlmMessage[] =
          args.text === undefined
            ? [{ role: 'system', content: `${directive}\n${schemaText}` }, { role: 'user', content: args.instructions }]
            : [{ role: 'system', content: `${args.instructions}\n\n${directive}\n${schemaText}` }, { role: 'user', content: args.text }];
        const responseFormat =
          jsonMode === 'json_schema'
            ? { type: 'json_schema' as const, json_schema: { name: 'result', schema: args.schema, strict: false } }
            : { type: 'json_object' as const };
        const maxRepairs = args.maxRepairs ?? 1;
        const usage: LlmUsage = { promptTokens: 0, completionTokens: 0 };
        const history: Array<{ errors: string[] }> = [];
        for (let repair = 0; ; repair++) {
          const answer = await family.client.chat(config, {
            messages,
            responseFormat,
            // Each request of the step has its own key; a re-executed step repeats them.
            idempotencyKey: repair === 0 ? step.idempotencyKey : `${step.idempotencyKey}.repair${repair}`,
          });
          usage.promptTokens += answer.usage.promptTokens;
          usage.completionTokens += answer.usage.completionTokens;
          const checked = checkAnswer(answer.content, validate, answer.finishReason);
          if (checked.ok) return { data: checked.data, model: answer.model, repairs: repair, usage };
          history.push({ errors: checked.errors });
          if (repair >= maxRepairs) {
            const secrets = config.apiKey === null ? [] : [config.apiKey];
            throw new ActionFailure(
              StdCodes.LLM_BAD_OUTPUT,
              `llm.extract: the model's answer is not JSON valid against the schema after ${repair} repair${repair === 1 ? '' : 's'}: ${checked.errors.join('; ')}; ` +
                'simplify the schema, make the instructions more explicit, raise maxRepairs, or use a stronger model',
              { details: scrubValue({ errors: checked.errors, attempts: history, answer: answer.content.slice(0, 2000), model: answer.model, repairs: repair, usage }, secrets) },
            );
          }
          messages.push(
            { role: 'assistant', content: answer.content },
            {
              role: 'user',
              content: `Your answer is not valid:\n${checked.errors.map((e) => `- ${e}`).join('\n')}\nAnswer again with only the corrected JSON value, valid against the schema.`,
            },
          );
        }
      });
    },
    finalize: (_ctx, run) => {
      family.cache.deleteRun(run.id, 'llm.extract');
    },
  });
}
