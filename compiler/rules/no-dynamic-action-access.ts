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
      const what = kind === 'namespace' ? `the action namespace ${name}` : `the action ${name}`;
      ctx.report(ref.node, `${what} is used as a value (${ref.usage === 'write' ? 'assigned to' : 'passed on or stored'}), not called: ${why}.`, `call it directly: ${kind === 'namespace' ? `${name}.verb({ … })` : `${name}({ … })`}`);
    },
  }),
});
