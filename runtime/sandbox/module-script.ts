import type { Node } from 'acorn';
import { acornParser } from '../deps.js';
import { BundleError } from '../errors.js';

/** The name the rewritten module assigns its default export to; a bundle may not use it. */
const slot = '__alice_def';
const exportDefault = 'export default';
// Same length as `export default`, so every column of the author's code stays where it was.
const assign = `${slot} = `;

type Located = Node;

/** Visits every node of an acorn AST. */
function walk(node: Node, visit: (n: Node) => void): void {
  visit(node);
  for (const key of Object.keys(node)) {
    if (key === 'loc') continue;
    const value = (node as unknown as Record<string, unknown>)[key];
    if (Array.isArray(value)) {
      for (const v of value) if (v !== null && typeof v === 'object' && typeof (v as Node).type === 'string') walk(v as Node, visit);
    } else if (value !== null && typeof value === 'object' && typeof (value as Node).type === 'string') {
      walk(value as Node, visit);
    }
  }
}

function walkAll(program: Node, edits: Array<{ start: number; end: number; text: string }>, filename: string): void {
  walk(program, (n) => {
    const node = n as Node & { meta?: { name: string } };
    if (node.type === 'MetaProperty' && node.meta?.name === 'import') edits.push({ start: node.start, end: node.end, text: '(undefined)'.padEnd(node.end - node.start) });
    if (node.type === 'ImportExpression') throw new BundleError(`${where(filename, node)}: a workflow cannot import modules (dynamic import()); actions arrive as the second argument`, 'script');
    // The wrapper's own binding: only an identifier can reach it (strict code, no eval), so a
    // comment or a string that spells it is fine.
    if (node.type === 'Identifier' && (node as Node & { name?: string }).name === slot) throw new BundleError(`${where(filename, node)}: the identifier ${slot} is reserved for the engine`, 'script');
  });
}

function where(filename: string, node: Located): string {
  const at = node.loc?.start;
  return at === undefined ? filename : `${filename}:${at.line}:${at.column + 1}`;
}

/**
 * Rewrites a bundle's ES module into a script that evaluates to `async () => defaultExport`.
 *
 * Why: an exception thrown while isolated-vm evaluates a module is copied out of the sandbox
 * by reading its properties outside any timeout, so a hostile module that throws an object
 * whose getters never return hangs the host. As a function, the module's top-level code runs
 * inside the guest runtime's own try/catch, under the CPU limit. It also compiles once per
 * isolate instead of once per execution.
 *
 * The module is parsed first (imports, re-exports and syntax errors are refused with their
 * position), every line and column of the author's code is kept, and the result is parsed again
 * as a script to prove that nothing escapes the wrapper (HTML-like comments, say, which mean
 * something else in a script).
 */
export function moduleToScript(source: string, filename = 'workflow.js'): string {
  let program: Node & { body: Located[] };
  try {
    program = acornParser().parse(source, { ecmaVersion: 'latest', sourceType: 'module', locations: true }) as unknown as Node & { body: Located[] };
  } catch (err) {
    const e = err as { message: string; loc?: { line: number; column: number } };
    const at = e.loc ? `${filename}:${e.loc.line}:${e.loc.column + 1}` : filename;
    throw new BundleError(`${at}: the workflow script does not parse as an ES module: ${e.message.replace(/ \(\d+:\d+\)$/, '')}`, 'script');
  }

  const edits: Array<{ start: number; end: number; text: string }> = [];
  // import.meta means nothing to a workflow (it has no URL); `(undefined)` has the same length.
  // A dynamic import() is refused here, with its position, rather than failing at run time.
  try {
    walkAll(program, edits, filename);
  } catch (err) {
    if (err instanceof BundleError) throw err;
    throw new BundleError(`${filename}: the workflow script is nested too deeply to check`, 'script');
  }
  const blank = (start: number, end: number) => edits.push({ start, end, text: source.slice(start, end).replace(/[^\n]/g, ' ') });
  let tail = '';
  let hasDefault = false;
  for (const node of program.body) {
    const n = node as Located & Record<string, unknown>;
    switch (n.type) {
      case 'ImportDeclaration':
      case 'ImportExpression':
        throw new BundleError(`${where(filename, n)}: a workflow bundle cannot import modules; actions arrive as the second argument`, 'script');
      case 'ExportAllDeclaration':
        throw new BundleError(`${where(filename, n)}: a workflow bundle cannot re-export another module`, 'script');
      case 'ExportNamedDeclaration': {
        if (n.source) throw new BundleError(`${where(filename, n)}: a workflow bundle cannot re-export another module`, 'script');
        const decl = n.declaration as Located | null;
        if (decl) {
          blank(n.start, decl.start);
        } else {
          for (const s of n.specifiers as Array<{ local: { name: string }; exported: { name?: string; value?: string } }>) {
            if ((s.exported.name ?? s.exported.value) === 'default') {
              tail += `${slot} = ${s.local.name};`;
              hasDefault = true;
            }
          }
          blank(n.start, n.end);
        }
        break;
      }
      case 'ExportDefaultDeclaration': {
        hasDefault = true;
        const decl = n.declaration as Located & { id?: { name: string } | null };
        const named = (decl.type === 'FunctionDeclaration' || decl.type === 'ClassDeclaration') && decl.id;
        if (named) {
          // Keep the declaration (and its hoisting); bind the default export at the end.
          blank(n.start, decl.start);
          tail += `${slot} = ${decl.id!.name};`;
        } else {
          if (source.slice(n.start, n.start + exportDefault.length) !== exportDefault) {
            throw new BundleError(`${where(filename, n)}: write the default export as \`export default …\` on one line`, 'script');
          }
          edits.push({ start: n.start, end: n.start + exportDefault.length, text: assign });
        }
        break;
      }
      default:
        break;
    }
  }
  if (!hasDefault) {
    throw new BundleError(`${filename}: the workflow script has no default export (export default async (input, actions) => …)`, 'script');
  }
  edits.sort((a, b) => a.start - b.start);
  let body = '';
  let at = 0;
  for (const e of edits) {
    body += source.slice(at, e.start) + e.text;
    at = e.end;
  }
  body += source.slice(at);
  // The prefix sits on a line of its own (compiled with lineOffset -1), the suffix after a newline
  // so that a trailing line comment cannot swallow it.
  const script = `(async function () { 'use strict'; let ${slot};\n${body}\n;${tail} return ${slot}; })`;
  let check: Node & { body: Array<Node & { expression?: Node & { async?: boolean } }> };
  try {
    check = acornParser().parse(script, { ecmaVersion: 'latest', sourceType: 'script' }) as unknown as typeof check;
  } catch (err) {
    throw new BundleError(`${filename}: the workflow script cannot be isolated as a function (${(err as Error).message})`, 'script');
  }
  const only = check.body.length === 1 ? check.body[0] : undefined;
  if (only?.type !== 'ExpressionStatement' || only.expression?.type !== 'FunctionExpression' || only.expression.async !== true || only.expression.end !== script.length - 1) {
    throw new BundleError(`${filename}: the workflow script reads differently as a script than as a module (HTML-like comments?); it cannot be isolated`, 'script');
  }
  return script;
}
