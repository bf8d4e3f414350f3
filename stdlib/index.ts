/**
 * `alice/stdlib`: the standard actions that Alice itself runs on, one family per folder, each
 * with its schemas (TypeBox), permission, idempotency and finalize side by side:
 *
 * - `kv.*`: a per-tenant key-value store in the engine's SQLite file.
 * - `kb.add`, `kb.search`, `kb.remove`: the knowledge base (SQLite FTS5).
 * - `llm.chat`, `llm.extract`: any OpenAI-compatible endpoint.
 * - `http.request`: HTTP to the hosts a workflow's manifest allows.
 * - `email.send`: an outbox and an SMTP transport, exactly once per step.
 * - `chat.post`, `chat.history`: messages of a user's conversations.
 * - `events.emit`: events that wake waiting runs and start subscribed workflows.
 * - `human.ask`: a step that waits for a person's answer (`alice answer`).
 *
 * Every family keeps its tables in the engine's own SQLite file and scopes them by the run's
 * tenant, which it takes from the host-only context, never from arguments.
 *
 * @example
 * import { openEngine } from 'alice/runtime';
 * import { standardActions } from 'alice/stdlib';
 * const engine = openEngine({ store: 'alice.db', actions: standardActions({ store: 'alice.db' }) });
 */
import { systemClock, type ActionDefinition, type Clock } from '../runtime/index.js';
import type { StdlibEnv } from './env.js';
import { chatActions } from './chat/index.js';
import { emailActions, type EmailOptions } from './email/index.js';
import { httpActions, type HttpOptions } from './http/index.js';
import { kbActions } from './kb/index.js';
import { llmActions, type LlmOptions } from './llm/index.js';
import { eventsActions } from './events/index.js';
import { humanActions } from './human/index.js';
import { kvActions } from './kv/index.js';
import { anyTenant, TenantDirectory } from './tenants.js';

export { ActionDatabase } from './database.js';
export { StdCodes } from './codes.js';
export type { StdCode } from './codes.js';
export type { StdlibEnv } from './env.js';
export { plainSchema, stdAction, Type } from './schema.js';
export type { Static, StdActionSpec, TSchema } from './schema.js';
export { anyTenant, defaultTenant, TenantDirectory } from './tenants.js';
export type { Tenant, TenantGuard } from './tenants.js';
export { ChatTable } from './chat/index.js';
export { KbTable } from './kb/index.js';
export { startFakeLlm } from './llm/index.js';
export type { EmailOptions } from './email/index.js';
export type { HttpOptions } from './http/index.js';
export type { LlmOptions } from './llm/index.js';
export type { ChatMessage, ChatRole, ChatSource } from './chat/index.js';
export { answeredEvent, HumanAnswerError, HumanDesk } from './human/index.js';
export type { Ask, Question, QuestionStatus } from './human/index.js';
export { reservedEventPrefix } from './events/index.js';
export { KvTable, maxKeyLength, maxListLimit, maxValueBytes } from './kv/table.js';
export type { KvEntry } from './kv/table.js';

/** Options of {@link standardActions}. */
export interface StandardActionsOptions {
  /** The engine's store: the same SQLite file path (or `:memory:`, which gets its own database). */
  store: string;
  /**
   * `any` (default): every tenant the engine starts runs for is served; the embedder's own code
   * decides who is a tenant. `registered`: actions refuse a run whose tenant is not in the
   * store's tenant directory (`ALICE_UNKNOWN_TENANT`; `default` is always registered), as the
   * CLI does.
   */
  tenants?: 'registered' | 'any';
  /** The engine's clock, when it is not the system clock (tests with a ManualClock). */
  clock?: Clock;
  /** The LLM endpoint; default from ALICE_LLM_BASE_URL, ALICE_LLM_API_KEY, ALICE_LLM_MODEL. */
  llm?: LlmOptions;
  /**
   * `http.request`'s limits and the private addresses it may reach; default from
   * ALICE_HTTP_ALLOW_PRIVATE (`true`, or comma-separated CIDR ranges such as `127.0.0.1/32`).
   */
  http?: HttpOptions;
  /** The mail transport; default from ALICE_SMTP_URL and ALICE_MAIL_FROM (none: mail is held in the outbox). */
  email?: EmailOptions;
}

/** `http.request`'s options from the environment: ALICE_HTTP_ALLOW_PRIVATE. */
export function httpOptionsFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): HttpOptions {
  const text = env.ALICE_HTTP_ALLOW_PRIVATE?.trim();
  if (text === undefined || text === '' || text === 'false') return {};
  return { allowPrivate: text === 'true' ? true : text.split(',').map((c) => c.trim()).filter((c) => c !== '') };
}

/**
 * The standard action catalog, bound to a store. Pass the same `store` as the engine's.
 *
 * @example
 * const engine = openEngine({ store: 'alice.db', actions: [...standardActions({ store: 'alice.db' }), ...mine] });
 */
export function standardActions(options: StandardActionsOptions): ActionDefinition[] {
  const env: StdlibEnv = {
    store: options.store,
    tenants: options.tenants === 'registered' ? new TenantDirectory(options.store) : anyTenant,
    now: () => (options.clock ?? systemClock).now(),
  };
  return [
    ...kvActions(env),
    ...kbActions(env),
    ...llmActions(env, options.llm),
    ...httpActions(env, options.http ?? httpOptionsFromEnv()),
    ...emailActions(env, options.email),
    ...chatActions(env),
    ...eventsActions(env),
    ...humanActions(env),
  ];
}
