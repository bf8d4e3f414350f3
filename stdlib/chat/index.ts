import type { ActionDefinition } from '../../runtime/index.js';
import type { StdlibEnv } from '../env.js';
import { stdAction, Type } from '../schema.js';
import { ChatTable, maxHistory, maxMessageLength } from './table.js';

const Conversation = Type.String({ minLength: 1, maxLength: 128, description: "The conversation's id, e.g. the chat thread a message came from." });
const Source = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 256 }), title: Type.Optional(Type.String({ maxLength: 512 })), url: Type.Optional(Type.String({ maxLength: 2048 })) },
  { additionalProperties: false },
);
const Role = Type.Union([Type.Literal('user'), Type.Literal('assistant'), Type.Literal('system')]);

export const ChatPostInput = Type.Object(
  {
    conversation: Conversation,
    text: Type.String({ minLength: 1, maxLength: maxMessageLength }),
    role: Type.Optional(Role),
    sources: Type.Optional(Type.Array(Source, { maxItems: 50, description: 'Where the answer comes from; shown as citations.' })),
  },
  { additionalProperties: false },
);
const ChatPostOutput = Type.Object({ conversation: Type.String(), seq: Type.Integer() });

export const ChatHistoryInput = Type.Object(
  {
    conversation: Conversation,
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: maxHistory })),
    before: Type.Optional(Type.Integer({ minimum: 1, description: 'Only messages before this seq (for paging back).' })),
  },
  { additionalProperties: false },
);
const Message = Type.Object({
  seq: Type.Integer(),
  role: Role,
  author: Type.String(),
  text: Type.String(),
  sources: Type.Array(Source),
  at: Type.Integer({ description: 'ms since the epoch' }),
});
const ChatHistoryOutput = Type.Object({ messages: Type.Array(Message) });

/**
 * `chat.post` and `chat.history`: the messages of a user's conversations, per tenant. A
 * conversation belongs to the user whose run first posted to it.
 */
export function chatActions(env: StdlibEnv): ActionDefinition[] {
  const table = new ChatTable(env.store, env.tenants);
  return [
    stdAction({
      name: 'chat.post',
      description: "Posts a message (default role assistant) to one of the run's user's conversations, with optional sources to cite.",
      input: ChatPostInput,
      output: ChatPostOutput,
      permission: 'chat:write',
      // The step's idempotency key is stored with the message: a re-executed step finds its
      // message and posts nothing twice.
      retry: { maxAttempts: 5, initialDelay: '50ms', backoff: 2, maxDelay: '2s' },
      timeout: '10s',
      run: (args, ctx, step) => table.post(ctx, { conversation: args.conversation, role: args.role ?? 'assistant', text: args.text, sources: args.sources ?? [] }, step.idempotencyKey, Date.now()),
      // No finalize: messages are the user's conversation, not memos of one run.
    }),
    stdAction({
      name: 'chat.history',
      description: 'The last messages of one of the run\'s user\'s conversations, oldest first (default 20).',
      input: ChatHistoryInput,
      output: ChatHistoryOutput,
      permission: 'chat:read',
      retry: { maxAttempts: 5, initialDelay: '50ms', backoff: 2, maxDelay: '2s' },
      timeout: '10s',
      run: (args, ctx) => ({ messages: table.history(ctx, args.conversation, args.limit ?? 20, args.before ?? null) }),
    }),
  ];
}

export { ChatTable } from './table.js';
export type { ChatMessage, ChatRole, ChatSource } from './table.js';
