import type { Diagnostic } from '../diagnostic.js';
import { typeToSchema } from '../types/type-to-schema.js';
import { diagnosticAt } from './check.js';
import type ts from './typescript.cjs';
import { defaultExportOf, isThisParameter } from './workflow.js';

/** A workflow's input: its parameter, the JSON Schema of its type, and why that type is not JSON. */
export interface WorkflowInput {
  param: ts.ParameterDeclaration | undefined;
  schema: Record<string, unknown> | null;
  /** `alice/workflow-input` errors: what in the type cannot cross as JSON. */
  diagnostics: Diagnostic[];
}

/**
 * Reads the input type of a workflow's default export. `alice check` and `alice compile` both
 * report its problems, so that a file CI passes is one that compiles.
 */
export function workflowInput(checker: ts.TypeChecker, sf: ts.SourceFile, display: string): WorkflowInput {
  const main = defaultExportOf(sf, checker);
  const param = main.kind === 'function' ? main.fn.parameters.find((p) => !isThisParameter(p)) : undefined;
  if (param === undefined) return { param, schema: null, diagnostics: [] };
  const { schema, problems } = typeToSchema(checker.getTypeAtLocation(param), checker, param);
  return { param, schema, diagnostics: problems.map((p) => diagnosticAt(sf, display, p.node, 'alice/workflow-input', `the input type must be JSON: ${p.message}`)) };
}
