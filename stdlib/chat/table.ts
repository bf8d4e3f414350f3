import type Database from 'better-sqlite3';
import { ActionFailure, ErrorCodes, type RunContext } from '../../runtime/index.js';
import { ActionDatabase } from '../database.js';
import type { TenantGuard } from '../tenants.js';

const ddl = `
CREATE TABLE IF NOT EXISTS chat_conversations (
  tenant TEXT NOT NULL,
  id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (tenant, id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS chat_messages (
  tenant TEXT NOT NULL,
  conversation TEXT NOT NULL,
  seq INTEGER NOT NULL,
  role TEXT NOT NULL,
  author TEXT NOT NULL,
  text TEXT NOT NULL,
  sources TEXT,
  created_at INTEGER NOT NULL,
  -- The posting step's idempotency key (null for messages posted from outside a run).
  key TEXT,
  PRIMARY KEY (tenant, conversation, seq)
) WITHOUT ROWID;
CREATE UNIQUE INDEX IF NOT EXISTS chat_messages_key ON chat_messages (key) WHERE key IS NOT NULL;
`;

/** Where an answer's facts come from: a knowledge-base document, a URL. */
export interface ChatSource {
  id: string;
  title?: string;
  url?: string;
}

export type ChatRole = 'user' | 'assistant' | 'system';

/** One message as `chat.history` returns it. */
export interface ChatMessage {
  seq: number;
  role: ChatRole;
  author: string;
  text: string;
  sources: ChatSource[];
  at: number;
}

interface MessageRow {
  seq: number;
  role: ChatRole;
  author: string;
  text: string;
  sources: string | null;
  created_at: number;
}

/** Longest message, in characters. */
export const maxMessageLength = 32_000;
/** Most messages one `chat.history` returns. */
export const maxHistory = 200;

/**
 * Conversations and their messages, per tenant, in the engine's SQLite file. A conversation
 * belongs to the user who started it (the first post's context user): other users of the
 * tenant can neither read nor post to it, unless their run is granted `chat:admin` by name
 * (`*` and `chat:*` do not open other users' conversations). A user message's author is the
 * context user; any other message's is the posting workflow.
 */
export class ChatTable {
  private readonly database: ActionDatabase;

  constructor(path: string, private readonly tenants: TenantGuard) {
    this.database = new ActionDatabase(path, (db) => db.exec(ddl));
  }

  private get db(): Database.Database {
    return this.database.get();
  }

  /**
   * Posts a message. With a key (the step's idempotency key) a second post of the same key
   * returns the first one's place instead of adding a message.
   */
  post(ctx: RunContext, m: { conversation: string; role: ChatRole; text: string; sources: ChatSource[] }, key: string | null, now: number): { conversation: string; seq: number } {
    this.tenants.require(ctx);
    return this.db.transaction(() => {
      if (key !== null) {
        const done = this.db.prepare('SELECT conversation, seq FROM chat_messages WHERE key = ?').get(key) as { conversation: string; seq: number } | undefined;
        if (done !== undefined) return done;
      }
      this.own(ctx, m.conversation, now, true);
      const { next } = this.db
        .prepare('SELECT coalesce(max(seq), 0) + 1 AS next FROM chat_messages WHERE tenant = ? AND conversation = ?')
        .get(ctx.tenant, m.conversation) as { next: number };
      this.db
        .prepare('INSERT INTO chat_messages (tenant, conversation, seq, role, author, text, sources, created_at, key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
        .run(ctx.tenant, m.conversation, next, m.role, m.role === 'user' ? ctx.user.id : ctx.workflow.name, m.text, m.sources.length > 0 ? JSON.stringify(m.sources) : null, now, key);
      return { conversation: m.conversation, seq: next };
    }).immediate();
  }

  /** The last `limit` messages before `before` (all when null), oldest first. */
  history(ctx: RunContext, conversation: string, limit: number, before: number | null): ChatMessage[] {
    this.tenants.require(ctx);
    if (!this.own(ctx, conversation, 0, false)) return [];
    const rows = this.db
      .prepare(`SELECT seq, role, author, text, sources, created_at FROM chat_messages
                WHERE tenant = ? AND conversation = ? AND (? IS NULL OR seq < ?) ORDER BY seq DESC LIMIT ?`)
      .all(ctx.tenant, conversation, before, before, limit) as MessageRow[];
    return rows.reverse().map((r) => ({ seq: r.seq, role: r.role, author: r.author, text: r.text, sources: r.sources === null ? [] : (JSON.parse(r.sources) as ChatSource[]), at: r.created_at }));
  }

  /**
   * Checks that the conversation is the context user's; creates it for them when `create` and
   * it does not exist. false: it does not exist (and was not created).
   */
  private own(ctx: RunContext, conversation: string, now: number, create: boolean): boolean {
    const row = this.db.prepare('SELECT user_id FROM chat_conversations WHERE tenant = ? AND id = ?').get(ctx.tenant, conversation) as { user_id: string } | undefined;
    if (row === undefined) {
      if (create) this.db.prepare('INSERT INTO chat_conversations (tenant, id, user_id, created_at) VALUES (?, ?, ?, ?)').run(ctx.tenant, conversation, ctx.user.id, now);
      return create;
    }
    // Only an explicit chat:admin opens other users' conversations: a system workflow runs with
    // `*`, and the chat handler acting for eve must not read or post to ada's conversation.
    if (row.user_id !== ctx.user.id && !ctx.permissions.includes('chat:admin')) {
      throw new ActionFailure(ErrorCodes.UNAUTHORIZED, `conversation ${JSON.stringify(conversation)} belongs to another user of this tenant; only its owner (or a run with chat:admin) may read or post to it`, { details: { conversation } });
    }
    return true;
  }

  close(): void {
    this.database.close();
  }
}
