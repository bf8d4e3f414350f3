import { ActionFailure, ErrorCodes, type ActionDefinition } from '../../runtime/index.js';
import type { StdlibEnv } from '../env.js';
import { stdAction, Type } from '../schema.js';

/** Event types the engine and the stdlib deliver themselves; workflows may not forge them. */
export const reservedEventPrefix = 'alice.';

export const EventsEmitInput = Type.Object(
  {
    type: Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]*$', description: 'e.g. order.shipped' }),
    data: Type.Optional(Type.Unknown({ description: 'Any JSON value; what waits match on and subscribed workflows get as input.' })),
  },
  { additionalProperties: false },
);
const EventsEmitOutput = Type.Object({
  id: Type.Integer({ description: "The event's number in the run's tenant (1, 2, …), as waitForEvent results carry it." }),
  started: Type.Integer({ description: 'Runs of subscribed workflows it started.' }),
  woken: Type.Integer({ description: 'Waiting runs it woke.' }),
  duplicate: Type.Boolean({ description: 'The step had emitted it already (a re-executed step); nothing was done again.' }),
});

/**
 * `events.emit({ type, data })`: emits an event in the run's tenant. It wakes runs waiting for
 * it (`waitForEvent`, actions pending on it) and starts the workflows subscribed to it
 * (`Engine.subscribe`), exactly once per step: the engine stores the event under the step's
 * idempotency key, so a step re-executed after a crash finds its event and emits nothing new.
 */
export function eventsActions(env: StdlibEnv): ActionDefinition[] {
  return [
    stdAction({
      name: 'events.emit',
      description: "Emits an event in the run's tenant: wakes runs waiting for it and starts subscribed workflows.",
      input: EventsEmitInput,
      output: EventsEmitOutput,
      permission: 'events:emit',
      retry: { maxAttempts: 5, initialDelay: '50ms', backoff: 2, maxDelay: '2s' },
      timeout: '10s',
      run: ({ type, data }, ctx, step) => {
        env.tenants.require(ctx);
        if (type.startsWith(reservedEventPrefix)) {
          throw new ActionFailure(ErrorCodes.VALIDATION, `event type ${JSON.stringify(type)} is reserved: types starting with "${reservedEventPrefix}" are delivered by Alice itself; choose another name`, { details: { type } });
        }
        const e = step.emit(type, data ?? null);
        return { id: e.id, started: e.started.length, woken: e.woken, duplicate: e.duplicate };
      },
      // No finalize: an emitted event belongs to the tenant's event history, which the engine
      // purges with its own retention.
    }),
  ];
}
