/**
 * The semantics suite again, with every test action an inline action (ActionDefinition.inline):
 * its outcome is committed and handed back at the workflow's call, and a re-run hands it back
 * there from the journal without a slice of its own. Every guarantee the ordinary path keeps
 * must hold for it too; the tests are the same, only the actions change.
 */
import { useInlineActions } from '../support/store.js';

useInlineActions(true);
await import('./concurrency-replay.test.js');
await import('./context-permissions.test.js');
await import('./durability.test.js');
await import('./embedding-api.test.js');
await import('./event-retention.test.js');
await import('./log.test.js');
await import('./memoization.test.js');
await import('./nondeterminism.test.js');
await import('./pending.test.js');
await import('./retries.test.js');
await import('./sandbox-limits.test.js');
await import('./suspend-uncatchable.test.js');
await import('./terminal-finalize.test.js');
await import('./waits.test.js');
