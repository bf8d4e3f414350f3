/**
 * The header of a .alice file → the manifest's metadata (name, description, kind, triggers,
 * input schema). The header is data the compiler copies without running anything, so every
 * value in it must be a literal; each problem is a `dsl/metadata` diagnostic at its place.
 */
import { parseHostPattern } from '../../runtime/host-pattern.js';
import type { ManifestTrigger, WorkflowKind } from '../../runtime/index.js';
import type { Expr, Header } from './ast.js';
import type { DiagnosticSink } from './rules.js';
import { schemaOfNode } from './types.js';

export interface DslMetadata {
  name: string;
  description: string | undefined;
  kind: WorkflowKind;
  triggers: ManifestTrigger[];
  /** null when the header declares no hosts. */
  hosts: string[] | null;
  inputSchema: Record<string, unknown> | null;
}

const kinds: readonly WorkflowKind[] = ['user', 'system', 'agent'];
const namePattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

export function readHeader(header: Header, fileBase: string, sink: DiagnosticSink): DslMetadata {
  let name = defaultName(fileBase);
  if (header.name !== null) {
    if (namePattern.test(header.name.value)) name = header.name.value;
    else sink.report('dsl/metadata', header.name.loc, `the workflow name must be 1-128 letters, digits, ".", "_" or "-", starting with a letter or digit; got ${JSON.stringify(header.name.value)}`);
  }
  let kind: WorkflowKind = 'user';
  if (header.kind !== null) {
    if ((kinds as readonly string[]).includes(header.kind.value)) kind = header.kind.value as WorkflowKind;
    else sink.report('dsl/metadata', header.kind.loc, `unknown kind ${header.kind.value}: write kind user, kind system or kind agent`);
  }
  const triggers: ManifestTrigger[] = [];
  for (const t of header.triggers) {
    switch (t.kind) {
      case 'manual':
        triggers.push({ type: 'manual' });
        break;
      case 'schedule':
        if (t.value !== null) triggers.push({ type: 'schedule', cron: t.value });
        break;
      case 'event': {
        if (t.value === null || t.value === '') {
          sink.report('dsl/metadata', t.loc, 'an event trigger needs an event type: trigger event "order.paid"');
          break;
        }
        const match = t.match !== null ? constant(t.match, sink) : undefined;
        triggers.push(match !== undefined && match !== null && typeof match === 'object' && !Array.isArray(match) ? { type: 'event', event: t.value, match } : { type: 'event', event: t.value });
        break;
      }
    }
  }
  for (const h of header.hosts) {
    const parsed = parseHostPattern(h.value);
    if (typeof parsed === 'string') sink.report('dsl/metadata', h.loc, `${parsed}; hosts lists what http.request may reach: "api.example.com", "*.example.com", "127.0.0.1:8080"`);
  }
  return {
    name,
    description: header.description?.value,
    hosts: header.hosts.length > 0 ? [...new Set(header.hosts.map((h) => h.value))] : null,
    kind,
    triggers: triggers.length > 0 ? triggers : [{ type: 'manual' }],
    inputSchema: header.input !== null ? (schemaOfNode(header.input) as Record<string, unknown>) : null,
  };
}

/** The value of a literal expression, or undefined (reported) when it is not one. */
function constant(e: Expr, sink: DiagnosticSink): Json | undefined {
  switch (e.kind) {
    case 'number':
      return e.value;
    case 'duration':
      return e.ms;
    case 'boolean':
      return e.value;
    case 'null':
      return null;
    case 'string':
      if (e.parts.every((p) => typeof p === 'string')) return e.parts.join('');
      break;
    case 'unary':
      if (e.op === '-' && e.operand.kind === 'number') return -e.operand.value;
      break;
    case 'list': {
      const out: Json[] = [];
      for (const item of e.items) {
        const v = item.spread ? undefined : constant(item.value, sink);
        if (v === undefined) return undefined;
        out.push(v);
      }
      return out;
    }
    case 'record': {
      const out: { [key: string]: Json } = {};
      for (const entry of e.entries) {
        const v = entry.kind === 'spread' ? undefined : constant(entry.value, sink);
        if (v === undefined || entry.kind === 'spread') return undefined;
        out[entry.name] = v;
      }
      return out;
    }
    default:
      break;
  }
  sink.report('dsl/metadata', e.loc, 'a trigger match must be a literal (strings, numbers, booleans, null, lists, records): the compiler copies it into the manifest without running code');
  return undefined;
}

/** The workflow name a file gets without `workflow "…"`: its base name, made a valid name. */
export function defaultName(fileBase: string): string {
  const stem = fileBase.replace(/\.alice$/, '').replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[^A-Za-z0-9]+/, '');
  return (stem === '' ? 'workflow' : stem).slice(0, 128);
}
