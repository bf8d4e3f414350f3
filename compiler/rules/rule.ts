import type ts from '../ts/typescript.cjs';
import type { Path, Usage } from '../ts/references.js';
import type { FileFacts } from '../ts/facts.js';

/** A use of something the checker resolved to a path (see compiler/ts/references.ts). */
export interface Reference {
  /** The whole reference chain, e.g. the `Date.now` in `Date.now()`. */
  node: ts.Expression;
  path: Path;
  usage: Usage;
  /** The call or `new` expression when `usage` is `call` or `new`. */
  call?: ts.CallExpression | ts.NewExpression | ts.TaggedTemplateExpression;
  /**
   * When the chain starts at a local alias (`c.log` after `const c = console`), the path that
   * alias denotes (`console`). The alias's initializer was a reference of its own (usage
   * `alias`), so a rule that forbids a name outright reports it there and skips these uses.
   */
  alias?: Path;
}

/** The node types a rule can visit, by name. The walker visits each node once for all rules. */
export interface NodeTypes {
  SourceFile: ts.SourceFile;
  ImportDeclaration: ts.ImportDeclaration;
  ImportEqualsDeclaration: ts.ImportEqualsDeclaration;
  ExportDeclaration: ts.ExportDeclaration;
  ExportAssignment: ts.ExportAssignment;
  VariableStatement: ts.VariableStatement;
  FunctionDeclaration: ts.FunctionDeclaration;
  ClassDeclaration: ts.ClassDeclaration;
  CallExpression: ts.CallExpression;
  NewExpression: ts.NewExpression;
  ElementAccessExpression: ts.ElementAccessExpression;
  PropertyAccessExpression: ts.PropertyAccessExpression;
  BinaryExpression: ts.BinaryExpression;
  PrefixUnaryExpression: ts.PrefixUnaryExpression;
  PostfixUnaryExpression: ts.PostfixUnaryExpression;
  DeleteExpression: ts.DeleteExpression;
  TryStatement: ts.TryStatement;
  ExpressionStatement: ts.ExpressionStatement;
  MetaProperty: ts.MetaProperty;
  TemplateExpression: ts.TemplateExpression;
  TaggedTemplateExpression: ts.TaggedTemplateExpression;
  MethodDeclaration: ts.MethodDeclaration;
  PropertyAssignment: ts.PropertyAssignment;
  ObjectBindingPattern: ts.ObjectBindingPattern;
  ForOfStatement: ts.ForOfStatement;
  ForInStatement: ts.ForInStatement;
}

export type NodeVisitors = { [K in keyof NodeTypes]?: (node: NodeTypes[K]) => void };

/** What a rule gets for one file. */
export interface RuleContext {
  readonly checker: ts.TypeChecker;
  readonly sourceFile: ts.SourceFile;
  /** Facts computed once per file and shared by all rules (module bindings, action calls, …). */
  readonly facts: FileFacts;
  /** Reports a problem at a node. The message says why (replay), the hint how to fix it. */
  report(node: ts.Node, message: string, hint?: string): void;
}

export interface RuleVisitors extends NodeVisitors {
  /** Every use of a resolved path (globals, library methods, `alice` imports). */
  reference?: (ref: Reference) => void;
}

/**
 * One purity or language rule. The id is the file name under compiler/rules/ and the doc page
 * docs/rules/<id>.md; rules take no options (pure is pure).
 */
export interface Rule {
  /** `no-wall-clock`; reported as `alice/no-wall-clock`. */
  readonly id: string;
  /** One sentence: what the rule forbids and why; shown in SARIF and `alice check --rules`. */
  readonly description: string;
  create(ctx: RuleContext): RuleVisitors;
}

/**
 * Defines a rule.
 *
 * @example
 * export default defineRule({
 *   id: 'no-wall-clock',
 *   description: 'The wall clock differs on every replay; use now().',
 *   create: (ctx) => ({ reference(ref) { if (ref.path === 'Date.now') ctx.report(ref.node, '…', 'use now()'); } }),
 * });
 */
export function defineRule(rule: Rule): Rule {
  if (!/^[a-z]+(-[a-z]+)*$/.test(rule.id)) throw new Error(`rule id ${rule.id} must be kebab-case`);
  return Object.freeze(rule);
}

/** The id under which a rule's diagnostics are reported. */
export function ruleName(rule: Rule): string {
  return `alice/${rule.id}`;
}
