import ts from './typescript.cjs';
import { parseHostPattern } from '../../runtime/host-pattern.js';
import type { ManifestTrigger } from '../../runtime/index.js';

// TypeScript's exports are getters: the node tests this module calls on nearly every node
// are read from it once, here, not on each call.
const { getModifiers, canHaveModifiers, NodeFlags, SyntaxKind, isArrayLiteralExpression, isAsExpression, isIdentifier, isNoSubstitutionTemplateLiteral, isNumericLiteral, isObjectLiteralExpression, isParenthesizedExpression, isPrefixUnaryExpression, isPropertyAssignment, isSatisfiesExpression, isStringLiteral, isVariableStatement } = ts;

/** The literal a workflow exports as `export const workflow = { … }`. */
export interface WorkflowMetadata {
  name?: string;
  description?: string;
  kind?: 'user' | 'system' | 'agent';
  triggers?: ManifestTrigger[];
  hosts?: string[];
}

/** The export that carries a workflow's static metadata. */
export const metadataExport = 'workflow';

export interface MetadataProblem {
  node: ts.Node;
  message: string;
}

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/**
 * Reads `export const workflow = { … }` (optionally `satisfies Workflow` or typed `: Workflow`).
 * The value must be a literal, because the compiler copies it into the manifest without
 * running anything; each part that is not gives a problem at its node.
 */
export function readMetadata(sourceFile: ts.SourceFile): { metadata: WorkflowMetadata; node: ts.VariableStatement | null; problems: MetadataProblem[] } {
  const problems: MetadataProblem[] = [];
  for (const stmt of sourceFile.statements) {
    if (!isVariableStatement(stmt) || !hasExport(stmt)) continue;
    for (const decl of stmt.declarationList.declarations) {
      if (!isIdentifier(decl.name) || decl.name.text !== metadataExport) continue;
      if (!(stmt.declarationList.flags & NodeFlags.Const) || decl.initializer === undefined) {
        problems.push({ node: decl, message: `export const ${metadataExport} = { name, description, kind, triggers } must be a const with a literal value` });
        return { metadata: {}, node: stmt, problems };
      }
      const value = literal(decl.initializer, problems);
      return { metadata: value === undefined ? {} : validate(value, decl.initializer, problems), node: stmt, problems };
    }
  }
  return { metadata: {}, node: null, problems };
}

export function hasExport(node: ts.Node): boolean {
  return canHaveModifiers(node) && (getModifiers(node) ?? []).some((m) => m.kind === SyntaxKind.ExportKeyword);
}

function literal(expr: ts.Expression, problems: MetadataProblem[]): Json | undefined {
  let e = expr;
  while (isSatisfiesExpression(e) || isAsExpression(e) || isParenthesizedExpression(e)) e = e.expression;
  if (isStringLiteral(e) || isNoSubstitutionTemplateLiteral(e)) return e.text;
  if (isNumericLiteral(e)) return Number(e.text);
  if (e.kind === SyntaxKind.TrueKeyword) return true;
  if (e.kind === SyntaxKind.FalseKeyword) return false;
  if (e.kind === SyntaxKind.NullKeyword) return null;
  if (isPrefixUnaryExpression(e) && e.operator === SyntaxKind.MinusToken && isNumericLiteral(e.operand)) return -Number(e.operand.text);
  if (isArrayLiteralExpression(e)) {
    const out: Json[] = [];
    for (const el of e.elements) {
      const v = literal(el as ts.Expression, problems);
      if (v === undefined) return undefined;
      out.push(v);
    }
    return out;
  }
  if (isObjectLiteralExpression(e)) {
    const out: { [key: string]: Json } = {};
    for (const p of e.properties) {
      if (!isPropertyAssignment(p) || !(isIdentifier(p.name) || isStringLiteral(p.name))) {
        problems.push({ node: p, message: `workflow metadata must be a plain literal: write each property as name: value` });
        return undefined;
      }
      const v = literal(p.initializer, problems);
      if (v === undefined) return undefined;
      out[p.name.text] = v;
    }
    return out;
  }
  problems.push({ node: e, message: `workflow metadata must be a literal (strings, numbers, booleans, arrays, objects): the compiler copies it into the manifest without running code` });
  return undefined;
}

const namePattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const kinds = ['user', 'system', 'agent'];

function validate(value: Json, node: ts.Expression, problems: MetadataProblem[]): WorkflowMetadata {
  const at = (key: string): ts.Node => {
    let e = node;
    while (isSatisfiesExpression(e) || isAsExpression(e) || isParenthesizedExpression(e)) e = e.expression;
    if (!isObjectLiteralExpression(e)) return node;
    return e.properties.find((p) => p.name !== undefined && (isIdentifier(p.name) || isStringLiteral(p.name)) && p.name.text === key) ?? node;
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push({ node, message: `export const ${metadataExport} must be an object { name, description, kind, triggers }` });
    return {};
  }
  const out: WorkflowMetadata = {};
  for (const [key, v] of Object.entries(value)) {
    switch (key) {
      case 'name':
        if (typeof v === 'string' && namePattern.test(v)) out.name = v;
        else problems.push({ node: at(key), message: `workflow name must be 1-128 letters, digits, '.', '_' or '-' starting with a letter or digit, got ${JSON.stringify(v)}` });
        break;
      case 'description':
        if (typeof v === 'string') out.description = v;
        else problems.push({ node: at(key), message: 'workflow description must be a string' });
        break;
      case 'kind':
        if (typeof v === 'string' && kinds.includes(v)) out.kind = v as WorkflowMetadata['kind'];
        else problems.push({ node: at(key), message: `workflow kind must be one of ${kinds.join(', ')}, got ${JSON.stringify(v)}` });
        break;
      case 'triggers': {
        const triggers = Array.isArray(v) ? v.map((t) => trigger(t)) : null;
        if (triggers !== null && triggers.every((t): t is ManifestTrigger => typeof t !== 'string')) out.triggers = triggers;
        else problems.push({ node: at(key), message: `workflow triggers must be a list of {type:"manual"}, {type:"event", event, match?} or {type:"schedule", cron}${triggers?.find((t) => typeof t === 'string') ? `: ${triggers.find((t) => typeof t === 'string') as string}` : ''}` });
        break;
      }
      case 'hosts': {
        const bad = Array.isArray(v) ? v.map((h) => (typeof h === 'string' ? parseHostPattern(h) : 'each host is a string')).find((r): r is string => typeof r === 'string') : 'workflow hosts must be a list of host patterns';
        if (Array.isArray(v) && bad === undefined) out.hosts = v as string[];
        else problems.push({ node: at(key), message: `${bad ?? ''}; hosts lists what http.request may reach: "api.example.com", "*.example.com", "127.0.0.1:8080"` });
        break;
      }
      default:
        problems.push({ node: at(key), message: `unknown workflow metadata ${JSON.stringify(key)}; the fields are name, description, kind, triggers and hosts` });
    }
  }
  return out;
}

/** A trigger, or a string saying what is wrong with it. */
function trigger(t: Json): ManifestTrigger | string {
  if (typeof t !== 'object' || t === null || Array.isArray(t)) return 'each trigger is an object';
  switch (t.type) {
    case 'manual':
      return { type: 'manual' };
    case 'event': {
      if (typeof t.event !== 'string' || t.event === '') return 'an event trigger needs event: "type.name"';
      const match = t.match;
      if (match !== undefined && (typeof match !== 'object' || match === null || Array.isArray(match))) return 'an event trigger\'s match is an object of fields';
      return match === undefined ? { type: 'event', event: t.event } : { type: 'event', event: t.event, match };
    }
    case 'schedule': {
      if (typeof t.cron !== 'string' || !/^\s*(\S+\s+){4,5}\S+\s*$/.test(t.cron)) return 'a schedule trigger needs cron: "m h dom mon dow" (5 or 6 fields)';
      return { type: 'schedule', cron: t.cron.trim() };
    }
    default:
      return `unknown trigger type ${JSON.stringify(t.type)}`;
  }
}
