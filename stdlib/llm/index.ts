import type { ActionDefinition } from '../../runtime/index.js';
import type { StdlibEnv } from '../env.js';
import { LlmCache } from './cache.js';
import llmChat from './chat.js';
import { LlmClient } from './client.js';
import type { LlmOptions } from './config.js';
import llmExtract from './extract.js';
import { SchemaChecker } from './json-check.js';

export { LlmCache } from './cache.js';
export { envNames as llmEnvNames } from './config.js';
export type { LlmOptions } from './config.js';
export { LlmChatInput, LlmChatOutput } from './chat.js';
export type { LlmChatArgs, LlmChatResult } from './chat.js';
export { LlmExtractInput, LlmExtractOutput, maxRepairsLimit } from './extract.js';
export type { LlmExtractArgs, LlmExtractResult } from './extract.js';
export { maxSchemaBytes } from './json-check.js';
export { startFakeLlm } from './fake-server.js';
export type { FakeChatRequest, FakeHttpAnswer, FakeLlm, FakeLlmOptions, FakeReply, FakeResponder, RecordedRequest } from './fake-server.js';

/**
 * `llm.chat` and `llm.extract`: chat completions and validated structured output from any
 * OpenAI-compatible endpoint, configured by `ALICE_LLM_BASE_URL`, `ALICE_LLM_API_KEY` and
 * `ALICE_LLM_MODEL` (read when an action runs) or by `options`. Answers are cached per step in
 * the `llm_cache` table of the engine's SQLite file until the run is finalized.
 *
 * @example
 * const engine = openEngine({ store, actions: llmActions({ store, tenants: anyTenant }, { model: 'gpt-4o-mini' }) });
 */
export function llmActions(env: StdlibEnv, options: LlmOptions = {}): ActionDefinition[] {
  const family = { env, options, cache: new LlmCache(env.store), client: new LlmClient(), checker: new SchemaChecker() };
  return [llmChat(family), llmExtract(family)];
}
