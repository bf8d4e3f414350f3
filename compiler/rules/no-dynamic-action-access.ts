import { aliceKind } from '../ts/facts.js';
import { defineRule } from './rule.js';

/** Actions are called as `ns.verb(...)`, so the manifest lists exactly what the code can call. */
export default defineRule({
  id: 'no-dynamic-action-access',
  description: 'Actions must be called directly as ns.verb({...}); computed access or passing action namespaces around would make the capability manifest inexact.',
  create: (ctx) => ({
    reference(ref) {
      const kind = aliceKind(ref.path);
      if (kind !== 'action' && kind !== 'namespace') return;
      if (ref.usage === 'typeof' || ref.usage === 'alias') return;
      const name = ref.path.slice('alice:'.length);
      const why = 'the manifest a reviewer approves lists the actions a workflow calls, and it is exact only when every call names its action';
      if (name.includes('[computed]')) {
        ctx.report(ref.node, `a computed action name (${ref.node.getText()}) could call any action of the namespace: ${why}.`, 'call each action by name, e.g. with a switch over the cases');
        return;
      }
      if (kind === 'action' && ref.usage === 'call' && ctx.facts.catalogAction(ref.node) !== undefined) return;
      if (kind === 'namespace') {
        ctx.report(ref.node, `the action namespace ${name} is ${ref.usage === 'write' ? 'assigned to' : 'passed on or stored as a value'}, where the checker cannot see which of its actions are called: ${why}.`, `call its actions directly: ${name}.verb({ … })`);
        return;
      }
      const action = ctx.facts.catalogActionOf(ref.path);
      // `kv.put(…)` where the catalog has no such action: TypeScript's own error says so (the
      // property does not exist), and there is no other name to call it by.
      if (action === undefined && ref.usage === 'call') return;
      const direct = action ?? name;
      let how: string;
      if (ref.usage === 'call' && action !== undefined && ref.path !== `alice:${action}`) how = `called indirectly (${ref.path.slice(`alice:${action}`.length + 1)})`;
      else if (ref.usage === 'call') how = `called through another name (${ref.node.getText()})`;
      else if (ref.usage === 'write') how = 'assigned to';
      else how = 'passed on or stored as a value, not called';
      ctx.report(ref.node, `the action ${direct} is ${how}: ${why}.`, `call it directly: ${direct}({ … })`);
    },
  }),
});
