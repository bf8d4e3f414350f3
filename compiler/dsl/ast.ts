/**
 * The typed AST of the Alice DSL: discriminated unions on `kind` (STYLE.md), built from the
 * CST by build-ast.ts, read by the checker, the lowering and the manifest's argument records.
 * Every node carries the span of the author's source it came from (1-based, end exclusive).
 */

export interface Loc {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export type TypeNode =
  | { kind: 'named'; name: string; loc: Loc }
  | { kind: 'list'; of: TypeNode; loc: Loc }
  | { kind: 'record'; fields: FieldTypeNode[]; loc: Loc }
  | { kind: 'nullable'; of: TypeNode; loc: Loc };

export interface FieldTypeNode {
  name: string;
  optional: boolean;
  type: TypeNode;
  loc: Loc;
}

export type BinaryOp = 'or' | 'and' | '==' | '!=' | '<' | '<=' | '>' | '>=' | '??' | '+' | '-' | '*' | '/' | '%';

export interface Argument {
  /** The name before `:`, or null for a positional argument (`len(xs)`). */
  name: string | null;
  nameLoc: Loc | null;
  value: Expr;
}

export type RecordEntry =
  | { kind: 'field'; name: string; nameLoc: Loc; value: Expr }
  | { kind: 'spread'; value: Expr; loc: Loc };

export interface ListEntry {
  spread: boolean;
  value: Expr;
}

/** How a `for … => value` expression combines its values. */
export type LoopMode = 'sequential' | 'parallel' | 'race';

export type Expr =
  | { kind: 'number'; value: number; loc: Loc }
  | { kind: 'duration'; ms: number; text: string; loc: Loc }
  | { kind: 'string'; parts: Array<string | Expr>; loc: Loc }
  | { kind: 'boolean'; value: boolean; loc: Loc }
  | { kind: 'null'; loc: Loc }
  | { kind: 'input'; loc: Loc }
  | { kind: 'name'; name: string; loc: Loc }
  | { kind: 'list'; items: ListEntry[]; loc: Loc }
  | { kind: 'record'; entries: RecordEntry[]; loc: Loc }
  | { kind: 'field'; object: Expr; name: string; nameLoc: Loc; loc: Loc }
  | { kind: 'index'; object: Expr; index: Expr; loc: Loc }
  /** `len(x)`, `total(items)`, `kv.get(key: "a")`: the callee is a name or a dotted path. */
  | { kind: 'call'; callee: string[]; calleeLoc: Loc; args: Argument[]; loc: Loc }
  | { kind: 'unary'; op: '-' | 'not'; operand: Expr; loc: Loc }
  | { kind: 'binary'; op: BinaryOp; left: Expr; right: Expr; opLoc: Loc; loc: Loc }
  | { kind: 'wait'; eventType: Expr; match: Expr | null; timeout: Expr | null; loc: Loc }
  | { kind: 'comprehension'; mode: LoopMode; name: string; nameLoc: Loc; list: Expr; filter: Expr | null; body: Expr; loc: Loc };

export interface CatchClause {
  /** The error codes it catches; empty = every action error. */
  codes: Array<{ code: string; loc: Loc }>;
  binding: { name: string; loc: Loc } | null;
  body: Stmt[];
  loc: Loc;
}

export type Stmt =
  | { kind: 'let'; name: string; nameLoc: Loc; mutable: boolean; annotation: TypeNode | null; value: Expr; loc: Loc }
  | { kind: 'assign'; name: string; nameLoc: Loc; value: Expr; loc: Loc }
  | { kind: 'if'; condition: Expr; then: Stmt[]; otherwise: Stmt[] | null; loc: Loc }
  | { kind: 'for'; parallel: boolean; name: string; nameLoc: Loc; list: Expr; filter: Expr | null; body: Stmt[]; loc: Loc }
  | { kind: 'repeat'; count: Expr; body: Stmt[]; loc: Loc }
  | { kind: 'return'; value: Expr | null; loc: Loc }
  | { kind: 'try'; body: Stmt[]; catches: CatchClause[]; loc: Loc }
  | { kind: 'sleep'; duration: Expr; loc: Loc }
  | { kind: 'log'; values: Expr[]; loc: Loc }
  | { kind: 'parallel'; branches: Stmt[]; loc: Loc }
  | { kind: 'do'; body: Stmt[]; loc: Loc }
  | { kind: 'fail'; code: Expr; message: Expr | null; loc: Loc }
  | { kind: 'expr'; expr: Expr; loc: Loc };

export interface Parameter {
  name: string;
  type: TypeNode;
  loc: Loc;
}

export interface FunctionDecl {
  name: string;
  nameLoc: Loc;
  params: Parameter[];
  body: Stmt[];
  loc: Loc;
}

export interface TriggerNode {
  kind: 'manual' | 'event' | 'schedule';
  /** The event type or the cron expression. */
  value: string | null;
  match: Expr | null;
  loc: Loc;
}

export interface Header {
  name: { value: string; loc: Loc } | null;
  description: { value: string; loc: Loc } | null;
  kind: { value: string; loc: Loc } | null;
  triggers: TriggerNode[];
  /** `hosts "api.example.com", …`: what http.request may reach. */
  hosts: Array<{ value: string; loc: Loc }>;
  input: TypeNode | null;
}

export interface Program {
  header: Header;
  functions: FunctionDecl[];
  body: Stmt[];
}
