import { Type } from '../schema.js';
import type { StdlibEnv } from '../env.js';
import type { LlmCache } from './cache.js';
import type { LlmClient } from './client.js';
import type { LlmOptions } from './config.js';
import type { SchemaChecker } from './json-check.js';

/** What the two LLM actions share: one cache table, one client, one schema compiler. */
export interface LlmFamily {
  env: StdlibEnv;
  options: LlmOptions;
  cache: LlmCache;
  client: LlmClient;
  checker: SchemaChecker;
}

/** Longest message content, in characters; the bridge's 1 MiB limit bounds the whole call anyway. */
export const maxContentChars = 200_000;

export const ModelName = Type.String({ minLength: 1, maxLength: 200, description: 'Overrides ALICE_LLM_MODEL for this call.' });

export const Usage = Type.Object({
  promptTokens: Type.Integer({ minimum: 0 }),
  completionTokens: Type.Integer({ minimum: 0 }),
});
