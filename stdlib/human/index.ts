import { ActionFailure, ErrorCodes, type ActionDefinition } from '../../runtime/index.js';
import type { StdlibEnv } from '../env.js';
import { stdAction, Type } from '../schema.js';
import { jsonValidator } from '../validate.js';
import { answeredEvent, HumanDesk, recheckMs } from './desk.js';

export const HumanAskInput = Type.Object(
  {
    question: Type.String({ minLength: 1, maxLength: 4000, description: 'What the person is asked, in plain words.' }),
    details: Type.Optional(Type.Unknown({ description: 'Any JSON the person needs to decide (an order, a draft).' })),
    schema: Type.Optional(Type.Object({}, { additionalProperties: true, description: 'JSON Schema the answer must fit; default any JSON.' })),
    assignee: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'Only this user may answer.' })),
    timeout: Type.Optional(Type.Union([Type.Number({ exclusiveMinimum: 0 }), Type.String({ pattern: '^\\s*(\\d+(\\.\\d+)?\\s*(ms|s|m|h|d|w)\\s*)+$' })], { description: 'After this long without an answer, the step returns timedOut: true.' })),
  },
  { additionalProperties: false },
);
const HumanAskOutput = Type.Object({
  answer: Type.Unknown({ description: 'The answer (null when timed out).' }),
  by: Type.Union([Type.String(), Type.Null()], { description: 'Who answered.' }),
  at: Type.Union([Type.Integer(), Type.Null()], { description: 'When (ms since the epoch).' }),
  timedOut: Type.Boolean(),
});

/**
 * `human.ask`: a step that waits for a person. The first call records the question and
 * suspends the run; `alice answer RUN STEP --data JSON` (or `HumanDesk.answer`) records the
 * answer and wakes the run; the step then returns the answer and who gave it, and the journal
 * keeps both. With a `timeout`, the step returns `timedOut: true` when nobody answered in time.
 */
export function humanActions(env: StdlibEnv): ActionDefinition[] {
  const desk = new HumanDesk(env.store);
  const ask = stdAction({
    name: 'human.ask',
    description: 'Asks a person a question and waits (suspended, for days if need be) for the answer; returns it with who answered.',
    input: HumanAskInput,
    output: HumanAskOutput,
    permission: 'human:ask',
    retry: { maxAttempts: 5, initialDelay: '50ms', backoff: 2, maxDelay: '2s' },
    timeout: '10s',
    run: (args, ctx, step) => {
      env.tenants.require(ctx);
      if (args.schema !== undefined) {
        try {
          jsonValidator(args.schema);
        } catch (err) {
          throw new ActionFailure(ErrorCodes.VALIDATION, `human.ask schema: ${(err as Error).message}`);
        }
      }
      const now = env.now?.() ?? Date.now();
      const q = desk.ask(ctx, step.idempotencyKey, step.seq, args, now);
      if (q.status === 'answered') return { answer: q.answer, by: q.answeredBy, at: q.answeredAt, timedOut: false };
      if (q.status === 'expired' || (q.expiresAt !== null && now >= q.expiresAt)) {
        desk.expire(step.idempotencyKey);
        return { answer: null, by: null, at: null, timedOut: true };
      }
      // Woken by the answer's event; the timed re-check covers an answer whose event was lost.
      return step.pending({ event: { type: answeredEvent, match: { key: step.idempotencyKey } }, retryAt: Math.min(q.expiresAt ?? Infinity, now + recheckMs) });
    },
    finalize: (_ctx, run) => {
      desk.closeRun(run.id);
    },
  });
  return [ask];
}

export { answeredEvent, HumanAnswerError, HumanDesk } from './desk.js';
export type { Ask, Question, QuestionStatus } from './desk.js';
