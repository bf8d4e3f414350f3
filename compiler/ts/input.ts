import type { Diagnostic } from '../diagnostic.js';
import { typeToSchema } from '../types/type-to-schema.js';
import { diagnosticAt } from './check.js';
import ts from './typescript.cjs';
import { defaultExportOf, isThisParameter } from './workflow.js';

/** A workflow's input: its parameter, the JSON Schema of its type, and why that type is not JSON. */
export interface WorkflowInput {
  param: ts.ParameterDeclaration | undefined;
  schema: Record<string, unknown> | null;
  /** `alice/workflow-input` errors: what in the type cannot cross as JSON. */
  diagnostics: Diagnostic[];
}

/** The workflow function's input parameter (not a `this: void` annotation), if it has one. */
export function inputParameter(checker: ts.TypeChecker, sf: ts.SourceFile): ts.ParameterDeclaration | undefined {
  const main = defaultExportOf(sf, checker);
  return main.kind === 'function' ? main.fn.parameters.find((p) => !isThisParameter(p)) : undefined;
}

/**
 * Whether the input may be left out although its type has no `null`: `input?: T` or
 * `input: T = …`. A run started without input gets `null` from the engine; such a workflow is
 * called with `undefined` instead (its default then applies), and its schema admits `null`.
 */
export function absentInputIsUndefined(checker: ts.TypeChecker, param: ts.ParameterDeclaration): boolean {
  if (param.questionToken === undefined && param.initializer === undefined) return false;
  const type = checker.getTypeAtLocation(param);
  const admitsNull = (t: ts.Type): boolean => (t.flags & (ts.TypeFlags.Null | ts.TypeFlags.Any | ts.TypeFlags.Unknown)) !== 0;
  return !(type.isUnion() ? type.types.some(admitsNull) : admitsNull(type));
}

/**
 * Reads the input type of a workflow's default export. `alice check` and `alice compile` both
 * report its problems, so that a file CI passes is one that compiles.
 */
export function workflowInput(checker: ts.TypeChecker, sf: ts.SourceFile, display: string): WorkflowInput {
  const param = inputParameter(checker, sf);
  if (param === undefined) return { param, schema: null, diagnostics: [] };
  const { schema, problems } = typeToSchema(checker.getTypeAtLocation(param), checker, param);
  const diagnostics = problems.map((p) => diagnosticAt(sf, display, p.node, 'alice/workflow-input', `the input type must be JSON: ${p.message}`));
  return { param, schema: absentInputIsUndefined(checker, param) ? { anyOf: [schema, { type: 'null' }] } : schema, diagnostics };
}
