import ts from '../ts/typescript.cjs';
import { within } from '../ts/references.js';
import { defineRule } from './rule.js';

// TypeScript's exports are getters: the node tests this module calls on nearly every node
// are read from it once, here, not on each call.
const { isNewExpression, isSpreadElement } = ts;

const why = 'a workflow is re-run from the start on every resume, and the wall clock reads differently each time, so the re-run would take other branches than the run it replays';

/** `Date.now()`, `new Date()`, `Date()`, `performance.now()` and `process.hrtime()` read the wall clock. */
export default defineRule({
  id: 'no-wall-clock',
  description: 'Reading the wall clock (Date.now(), new Date(), performance.now()) gives another value on every replay; use now() from "alice".',
  create: (ctx) => ({
    reference(ref) {
      const { path, usage } = ref;
      if (usage === 'typeof' || usage === 'alias' || usage === 'write') return;
      const hint = 'use now() from "alice": the run\'s logical clock, the same on every replay';
      const clock = ['Date.now', 'performance', 'process.hrtime'].find((root) => within(path, root));
      if (clock !== undefined) {
        if (path === 'performance' && usage === 'read') return;
        const shown = path.replace(/\.\[computed\]/g, '[…]');
        ctx.report(ref.node, `${shown === clock ? shown : `${shown} (through ${clock})`} reads the wall clock: ${why}.`, hint);
        return;
      }
      if (path === 'Date') {
        if (usage === 'call') ctx.report(ref.call ?? ref.node, `Date() returns the current time as a string: ${why}.`, hint);
        else if (usage === 'new' && ref.call !== undefined && isNewExpression(ref.call) && (ref.call.arguments ?? []).length === 0) {
          ctx.report(ref.call, `new Date() without arguments is the current time: ${why}.`, 'use new Date(now()) to get a Date of the logical clock');
        } else if (usage === 'new' && ref.call !== undefined && isNewExpression(ref.call) && (ref.call.arguments ?? []).some(isSpreadElement)) {
          ctx.report(ref.call, `new Date(...args) is the current time when args is empty, which the checker cannot rule out: ${why}.`, 'pass the time explicitly: new Date(t) with t from now() or the input');
        } else if (usage === 'escape') {
          ctx.report(ref.node, `Date is passed on as a value, where the checker cannot see whether it is asked for the current time: ${why}.`, 'call Date\'s static functions directly (Date.UTC(...)), or use now()');
        }
        return;
      }
      if (path === 'Date.[computed]') ctx.report(ref.node, `a computed member of Date could be Date.now: ${why}.`, 'name the member you use (Date.UTC), or use now()');
      // `Date.call(null)` and `Date.apply(null, [])` call Date as a function (the current time as a
      // string); `Date.bind(null)` makes a Date that `new` with no arguments or a call turns into it.
      if ((path === 'Date.call' || path === 'Date.apply' || path === 'Date.bind') && usage !== 'read') {
        ctx.report(ref.call ?? ref.node, `${path}(…) runs Date as a function, or makes one, which gives the current time: ${why}.`, 'pass the time explicitly: new Date(t) with t from now() or the input');
      }
    },
  }),
});
