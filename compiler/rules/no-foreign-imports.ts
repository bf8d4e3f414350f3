import ts from '../ts/typescript.cjs';
import { aliceModule } from '../ts/declarations.js';
import { defineRule } from './rule.js';

// TypeScript's exports are getters: the node tests this module calls on nearly every node
// are read from it once, here, not on each call.
const { SyntaxKind, isNamespaceImport, isStringLiteral } = ts;

const why = 'a workflow runs in a sandbox that has only its declared actions; other modules would bring in code the checker and the reviewer never saw';

/** A workflow imports named bindings from "alice" and nothing else. */
export default defineRule({
  id: 'no-foreign-imports',
  description: 'A workflow imports only named bindings from "alice" (actions by namespace, built-ins, types); other modules are not in the sandbox.',
  create: (ctx) => ({
    SourceFile(sf) {
      // `/// <reference path|types|lib="…" />` brings other declarations (Node's, the DOM's) into the check.
      for (const ref of [...sf.referencedFiles, ...sf.typeReferenceDirectives, ...sf.libReferenceDirectives]) {
        // A comment is no node: reported at the directive's own span, which is all report reads.
        const span = { getStart: () => ref.pos, getEnd: () => ref.end } as unknown as ts.Node;
        ctx.report(span, `a /// <reference> directive (${JSON.stringify(ref.fileName)}) brings in declarations from outside the file: ${why}.`, 'remove it; the "alice" declarations are all a workflow sees');
      }
    },
    ImportDeclaration(node) {
      const spec = node.moduleSpecifier;
      const from = isStringLiteral(spec) ? spec.text : '?';
      if (from !== aliceModule) {
        ctx.report(spec, `import from ${JSON.stringify(from)}: ${why}.`, 'import only from "alice"; do other work in an action');
        return;
      }
      const clause = node.importClause;
      if (clause === undefined) {
        ctx.report(node, 'a bare import of "alice" imports nothing: import the actions and built-ins you call by name.', 'import { kv, log } from "alice"');
        return;
      }
      if (clause.name !== undefined) {
        ctx.report(clause.name, '"alice" has no default export: import actions by namespace and built-ins by name, so the manifest lists exactly what is used.', 'import { kv, log } from "alice"');
      }
      // `import type * as A from "alice"` names types only: no action is reachable through it.
      if (clause.namedBindings !== undefined && isNamespaceImport(clause.namedBindings) && !clause.isTypeOnly) {
        ctx.report(clause.namedBindings, 'import * as … from "alice" makes every action reachable through one object; import the namespaces you use by name, so the manifest lists exactly what is used.', 'import { kv, email } from "alice"');
      }
    },
    ImportEqualsDeclaration(node) {
      ctx.report(node, `import … = require(…) loads a module: ${why}.`, 'import only from "alice"');
    },
    ExportDeclaration(node) {
      if (node.moduleSpecifier !== undefined) ctx.report(node.moduleSpecifier, `export … from another module brings its code in: ${why}.`, 'export only the workflow and its metadata');
    },
    MetaProperty(node) {
      if (node.keywordToken === SyntaxKind.ImportKeyword) {
        ctx.report(node, 'import.meta describes the host\'s module (its URL, its environment): a workflow has none, and replay must not depend on where it runs.', 'pass what you need in the input');
      }
    },
  }),
});
