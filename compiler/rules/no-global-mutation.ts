import ts from 'typescript';
import { defineRule } from './rule.js';

const why = 'the sandbox\'s globals are shared by all the code of the run and are rebuilt for each execution; a workflow that patches them makes other code (and every replay) behave in ways the checker cannot see';

/** Functions that change the object they are given first. */
const mutators = new Set([
  'Object.defineProperty', 'Object.defineProperties', 'Object.assign', 'Object.setPrototypeOf', 'Object.freeze', 'Object.seal', 'Object.preventExtensions',
  'Reflect.set', 'Reflect.defineProperty', 'Reflect.deleteProperty', 'Reflect.setPrototypeOf', 'Reflect.preventExtensions',
]);

/** A global path (not a local value's member, not an "alice" import). */
function isGlobal(path: string | undefined): path is string {
  return path !== undefined && !path.startsWith('alice:') && !path.includes('#');
}

/** Assigning to, deleting from or redefining globals and built-in prototypes. */
export default defineRule({
  id: 'no-global-mutation',
  description: 'Assigning to globalThis, to built-ins or to their prototypes changes the sandbox for all code of the run; keep state in local variables.',
  create: (ctx) => ({
    reference(ref) {
      if (ref.usage !== 'write' || !isGlobal(ref.path)) return;
      ctx.report(ref.node, `this changes the global ${ref.path.replace(/\.\[computed\]/g, '[…]')}: ${why}.`, 'keep the value in a local variable');
    },
    CallExpression(node) {
      const callee = ctx.facts.resolver.resolve(node.expression);
      if (callee === undefined || !mutators.has(callee) || node.arguments.length === 0) return;
      const target = ctx.facts.resolver.resolve(node.arguments[0]);
      if (!isGlobal(target)) return;
      ctx.report(node, `${callee}(${target}, …) changes a global: ${why}.`, 'work on a copy in a local variable');
    },
  }),
});
