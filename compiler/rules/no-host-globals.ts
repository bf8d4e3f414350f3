import ts from '../ts/typescript.cjs';
import { computedKey, rootOf, unresolvedRoot, type Path } from '../ts/references.js';
import { defineRule } from './rule.js';

// TypeScript's exports are getters: the node tests this module calls on nearly every node
// are read from it once, here, not on each call.
const { getModifiers, canHaveModifiers, SyntaxKind, isClassDeclaration, isEnumDeclaration, isFunctionDeclaration, isModuleBlock, isModuleDeclaration, isVariableStatement } = ts;

/** Host objects and I/O a workflow must not touch, with what to use instead. */
const hostGlobals: Readonly<Record<string, string>> = {
  process: 'the run\'s input (environment and arguments are the host\'s, not the run\'s)',
  require: 'import from "alice"',
  module: 'import from "alice"',
  exports: 'export default the workflow',
  __dirname: 'nothing: a workflow has no files',
  __filename: 'nothing: a workflow has no files',
  fetch: 'an action such as http.fetch from "alice", which is journaled',
  XMLHttpRequest: 'an action such as http.fetch from "alice"',
  WebSocket: 'an action',
  EventSource: 'waitForEvent() from "alice"',
  setTimeout: 'sleep() from "alice", which survives restarts',
  setInterval: 'a loop with sleep() from "alice"',
  setImmediate: 'plain await',
  clearTimeout: 'nothing: use sleep()',
  clearInterval: 'nothing: use sleep()',
  clearImmediate: 'nothing',
  queueMicrotask: 'plain await',
  requestAnimationFrame: 'sleep()',
  console: 'log() from "alice", which writes to the run\'s log once, not again on replay',
  Buffer: 'strings and arrays',
  global: 'nothing: a workflow sees only its input and actions',
  window: 'nothing: a workflow sees only its input and actions',
  self: 'nothing: a workflow sees only its input and actions',
  document: 'nothing: there is no page',
  navigator: 'nothing: there is no browser',
  location: 'nothing: there is no page',
  localStorage: 'an action such as kv.set from "alice"',
  sessionStorage: 'an action such as kv.set from "alice"',
  indexedDB: 'an action such as kv.set from "alice"',
  caches: 'an action such as kv.set from "alice"',
  postMessage: 'an action',
  importScripts: 'import from "alice"',
  Worker: 'concurrent steps with Promise.all',
  MessageChannel: 'concurrent steps with Promise.all',
  BroadcastChannel: 'an action',
  AbortController: 'waitForEvent() with a timeout',
  Deno: 'nothing: a workflow sees only its input and actions',
  Bun: 'nothing: a workflow sees only its input and actions',
};

const why = 'a workflow runs in a sandbox with no host, and is re-run on every resume: I/O outside its actions would happen again on each replay and is not in the journal';

/** Whether a path names a host global, or any global through a computed key. */
function forbidden(path: Path): boolean {
  return path === computedKey || path.startsWith(`${computedKey}.`) || Object.hasOwn(hostGlobals, rootOf(path));
}

/** The value declarations an ambient statement makes (`declare const x`, `declare global { var y }`). */
function ambientValues(stmt: ts.Statement, inAmbient: boolean, out: ts.Node[]): void {
  const ambient = inAmbient || (canHaveModifiers(stmt) && (getModifiers(stmt) ?? []).some((m) => m.kind === SyntaxKind.DeclareKeyword));
  if (isModuleDeclaration(stmt)) {
    let body = stmt.body;
    while (body !== undefined && isModuleDeclaration(body)) body = body.body;
    if (body !== undefined && isModuleBlock(body)) for (const s of body.statements) ambientValues(s, ambient, out);
    return;
  }
  if (!ambient) return;
  if (isVariableStatement(stmt)) for (const d of stmt.declarationList.declarations) out.push(d.name);
  else if ((isFunctionDeclaration(stmt) || isClassDeclaration(stmt) || isEnumDeclaration(stmt)) && stmt.name !== undefined) out.push(stmt.name);
}

/** Host objects, I/O, timers and console, and computed access to the global object. */
export default defineRule({
  id: 'no-host-globals',
  description: 'Host globals and I/O (process, require, fetch, timers, console, the global object) are outside the journal; use actions and built-ins from "alice".',
  create: (ctx) => {
    // One is enough to refuse the file; the chain's other links would each repeat it.
    let unresolvedReported = false;
    return {
      reference(ref) {
        const { path, usage } = ref;
        if (usage === 'typeof') return;
        // `c.log()` after `const c = console` was reported at the `const`, where console is named.
        if (ref.alias !== undefined && forbidden(ref.alias)) return;
        if (rootOf(path) === unresolvedRoot) {
          if (unresolvedReported) return;
          unresolvedReported = true;
          ctx.report(ref.node, `this name is an alias of an alias, more than 64 deep, which the checker does not follow: it cannot tell whether it stands for an action, the clock or a host object: ${why}.`, 'use the name it stands for');
          return;
        }
        if (path === computedKey || path.startsWith(`${computedKey}.`)) {
          ctx.report(ref.node, `a computed member of globalThis can reach any global, host objects and the clock included; the checker cannot tell which: ${why}.`, 'name the global you use');
          return;
        }
        if (path === 'globalThis') {
          if (usage === 'read' || usage === 'alias') return;
          ctx.report(ref.node, `globalThis is passed on as a value, where the checker cannot follow what is read from it: ${why}.`, 'name the global you use');
          return;
        }
        const root = rootOf(path);
        const instead = Object.hasOwn(hostGlobals, root) ? hostGlobals[root] : undefined;
        if (instead === undefined) return;
        ctx.report(ref.node, `${root} is a host global: ${why}.`, `use ${instead}`);
      },
      SourceFile(sf) {
        const names: ts.Node[] = [];
        for (const stmt of sf.statements) ambientValues(stmt, false, names);
        for (const name of names) {
          ctx.report(name, `declare only tells the checker that a value exists; at run time ${name.getText()} would be whatever the sandbox has under that name, which the checker cannot vouch for: ${why}.`, 'remove the declaration; import what you need from "alice"');
        }
      },
    };
  },
});
