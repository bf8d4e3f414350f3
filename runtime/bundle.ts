import { createHash } from 'node:crypto';
import type { WorkflowKind } from './context.js';
import { BundleError } from './errors.js';
import { parseHostPattern } from './host-pattern.js';
import { canonicalJson } from './sandbox/shared.js';

/** A trigger as the manifest declares it. */
export type ManifestTrigger =
  | { type: 'manual' }
  | { type: 'event'; event: string; match?: Record<string, unknown> }
  | { type: 'schedule'; cron: string };

/** The manifest of DESIGN §10: what a reviewer approves. */
export interface Manifest {
  name: string;
  kind: WorkflowKind;
  language: 'js' | 'ts' | 'dsl';
  /** The exact catalog actions used (`"kv.get"`, not `"kv"`); built-ins are never listed. */
  actions: string[];
  triggers: ManifestTrigger[];
  /** JSON Schema of the input, or null for any JSON value. */
  inputSchema: Record<string, unknown> | null;
  /** sha256 of the script and of this manifest without the hash. */
  codeHash: string;
  compilerVersion: string;
  description?: string;
  /**
   * Per catalog action, each call with where its argument fields come from: literals written
   * in the source (a recipient, a URL and its host), template prefixes (`user:${…}`), and
   * whether the input or another action's result flows in. Compilers fill it so a reviewer
   * sees what a workflow does with an action, not only that it uses it.
   */
  arguments?: Record<string, ActionCallRecord[]>;
  /**
   * The hosts `http.request` may reach for this workflow (see runtime/host-pattern.ts for the
   * patterns). Absent or empty: no host at all.
   */
  hosts?: string[];
}

/** Where one argument field's value comes from (see {@link Manifest.arguments}). */
export interface ArgumentOrigin {
  /** The value, when the whole argument is a literal. */
  literal?: string | number | boolean | null;
  /** The host, when the literal (or the template's prefix) is an http(s) URL. */
  host?: string;
  /** A template literal with `${…}` for each hole. */
  template?: string;
  /** The literal text before the first hole of a template or a `+` concatenation. */
  prefix?: string;
  /** What flows in: `input`, `action:<name>` (another step's result), `computed`. */
  from?: string[];
  /**
   * Every literal that may flow into the field whole when there is more than one
   * (`c ? "a@x.example" : "b@y.example"`, `input.to ?? "ops@x.example"`), so that a reviewer sees
   * each value written in the source that the field can take, not only the first or none.
   */
  literals?: Array<string | number | boolean | null>;
  /**
   * The call may leave the field out: only some of the object literals the argument may be
   * write it (`kv.list(all ? {} : { prefix: "report:" })`). Without it, a field held to
   * literals or a prefix is always sent, and the engine refuses a call that leaves it out.
   */
  optional?: boolean;
}

/**
 * Whether an origin holds its field to values written in the source: a literal, a prefix, or
 * literals with nothing else flowing in. Such a field is always sent unless the record says it
 * is `optional` (the compilers write that; the engine refuses a call that leaves it out).
 */
export function heldToSource(o: ArgumentOrigin): boolean {
  if (o.literal !== undefined) return true;
  if (typeof o.prefix === 'string' && o.prefix !== '') return true;
  return (o.from === undefined || o.from.length === 0) && o.literals !== undefined && o.literals.length > 0;
}

/** One call of an action in the source, with its argument fields (`*` when not an object literal). */
export interface ActionCallRecord {
  line: number;
  args: Record<string, ArgumentOrigin>;
}

/** The one artifact every front end produces and the runtime accepts (DESIGN §10). */
export interface Bundle {
  /** An ES module: `export default async (input, actions) => output`. */
  script: string;
  manifest: Manifest;
  sourceMap?: string | null;
}

const kinds: readonly WorkflowKind[] = ['system', 'user', 'agent'];
const languages: readonly Manifest['language'][] = ['js', 'ts', 'dsl'];
const maxScriptBytes = 4 * 1024 * 1024;
/** A compiler's map of a script at the limit, with its sources inlined, stays well under this. */
const maxSourceMapBytes = 16 * 1024 * 1024;
/**
 * The manifest is parsed again at every start and execution of the workflow: a reviewer's
 * summary of capabilities, not a place for megabytes.
 */
const maxManifestBytes = 1024 * 1024;

/** sha256 over the script and the canonical manifest without its hash. */
export function computeCodeHash(script: string, manifest: Omit<Manifest, 'codeHash'> | Manifest): string {
  const { codeHash: _ignored, ...rest } = manifest as Manifest;
  return createHash('sha256').update(script).update('\n').update(canonicalJson(rest)).digest('hex');
}

/**
 * Checks a bundle's shape and returns it with a verified code hash. A manifest without a hash
 * gets one; a manifest whose hash does not match its script is refused.
 */
export function validateBundle(input: unknown): Bundle {
  if (typeof input !== 'object' || input === null) throw new BundleError('a bundle is an object { script, manifest, sourceMap? }');
  const b = input as Record<string, unknown>;
  if (typeof b.script !== 'string' || b.script.trim() === '') throw new BundleError('bundle.script must be the workflow module source', 'script');
  if (Buffer.byteLength(b.script) > maxScriptBytes) throw new BundleError(`bundle.script is over ${maxScriptBytes} bytes`, 'script');
  if (b.sourceMap !== undefined && b.sourceMap !== null && typeof b.sourceMap !== 'string') {
    throw new BundleError('bundle.sourceMap must be a string (JSON source map) or null', 'sourceMap');
  }
  if (typeof b.sourceMap === 'string' && b.sourceMap.length > maxSourceMapBytes) throw new BundleError(`bundle.sourceMap is over ${maxSourceMapBytes} characters`, 'sourceMap');
  const m = b.manifest as Record<string, unknown> | undefined;
  if (typeof m !== 'object' || m === null || Array.isArray(m)) throw new BundleError('bundle.manifest must be an object', 'manifest');
  const field = (name: string) => `manifest.${name}`;
  let manifestText: string | undefined;
  try {
    manifestText = JSON.stringify(m);
  } catch (err) {
    throw new BundleError(`bundle.manifest is not JSON: ${(err as Error).message}`, 'manifest');
  }
  if (manifestText.length > maxManifestBytes) throw new BundleError(`bundle.manifest is over ${maxManifestBytes} characters as JSON`, 'manifest');
  if (typeof m.name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(m.name)) {
    throw new BundleError(`${field('name')} must be 1-128 letters, digits, '.', '_' or '-', got ${JSON.stringify(m.name)}`, field('name'));
  }
  if (!kinds.includes(m.kind as WorkflowKind)) throw new BundleError(`${field('kind')} must be one of ${kinds.join(', ')}`, field('kind'));
  const language = m.language ?? 'js';
  if (!languages.includes(language as Manifest['language'])) throw new BundleError(`${field('language')} must be one of ${languages.join(', ')}`, field('language'));
  if (!Array.isArray(m.actions) || !m.actions.every((a) => typeof a === 'string')) {
    throw new BundleError(`${field('actions')} must be the list of catalog actions used, e.g. ["kv.get"]`, field('actions'));
  }
  const actions = [...new Set(m.actions as string[])].sort();
  const triggers = m.triggers ?? [{ type: 'manual' }];
  if (!Array.isArray(triggers)) throw new BundleError(`${field('triggers')} must be a list`, field('triggers'));
  for (const [i, t] of triggers.entries()) {
    const tt = t as Record<string, unknown>;
    const ok =
      typeof tt === 'object' && tt !== null &&
      (tt.type === 'manual' || (tt.type === 'event' && typeof tt.event === 'string') || (tt.type === 'schedule' && typeof tt.cron === 'string'));
    if (!ok) throw new BundleError(`${field(`triggers[${i}]`)} must be {type:"manual"}, {type:"event",event} or {type:"schedule",cron}`, field('triggers'));
  }
  const inputSchema = m.inputSchema ?? null;
  if (inputSchema !== null && (typeof inputSchema !== 'object' || Array.isArray(inputSchema))) {
    throw new BundleError(`${field('inputSchema')} must be a JSON Schema object or null`, field('inputSchema'));
  }
  const args = m.arguments;
  if (args !== undefined) {
    const problem = callRecordsProblem(args, new Set(actions));
    if (problem !== null) throw new BundleError(`${field('arguments')}${problem}`, field('arguments'));
  }
  const hosts = m.hosts;
  if (hosts !== undefined) {
    if (!Array.isArray(hosts)) throw new BundleError(`${field('hosts')} must be a list of host patterns, e.g. ["api.example.com"]`, field('hosts'));
    for (const [i, h] of hosts.entries()) {
      const parsed = parseHostPattern(h as string);
      if (typeof parsed === 'string') throw new BundleError(`${field(`hosts[${i}]`)}: ${parsed}`, field('hosts'));
    }
  }
  const manifest: Omit<Manifest, 'codeHash'> & { codeHash?: string } = {
    name: m.name,
    kind: m.kind as WorkflowKind,
    language: language as Manifest['language'],
    actions,
    triggers: triggers as ManifestTrigger[],
    inputSchema: inputSchema as Record<string, unknown> | null,
    compilerVersion: typeof m.compilerVersion === 'string' ? m.compilerVersion : 'hand-written',
    ...(typeof m.description === 'string' ? { description: m.description } : {}),
    ...(args !== undefined ? { arguments: args as Record<string, ActionCallRecord[]> } : {}),
    ...(hosts !== undefined ? { hosts: [...new Set(hosts as string[])] } : {}),
  };
  let codeHash: string;
  try {
    codeHash = computeCodeHash(b.script, manifest as Manifest);
  } catch (err) {
    // The canonical form refuses what JSON cannot say the same way twice (nesting past 200 levels, …).
    throw new BundleError(`bundle.manifest cannot be hashed: ${(err as Error).message}`, 'manifest');
  }
  if (m.codeHash !== undefined && m.codeHash !== codeHash) {
    throw new BundleError(`${field('codeHash')} ${String(m.codeHash)} does not match the script and manifest (expected ${codeHash}): the bundle was changed after it was built`, field('codeHash'));
  }
  return { script: b.script, manifest: { ...manifest, codeHash }, sourceMap: (b.sourceMap as string | null | undefined) ?? null };
}

/** The keys an argument origin may have: what each must hold, and how to say it. */
const originFields: Readonly<Record<string, { valid: (v: unknown) => boolean; holds: string }>> = {
  literal: { valid: isScalar, holds: 'a JSON string, number, boolean or null' },
  literals: { valid: (v) => Array.isArray(v) && v.every(isScalar), holds: 'a list of JSON strings, numbers, booleans or nulls' },
  template: { valid: (v) => typeof v === 'string', holds: 'a string' },
  prefix: { valid: (v) => typeof v === 'string', holds: 'a string' },
  host: { valid: (v) => typeof v === 'string', holds: 'a string' },
  from: { valid: (v) => Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string' && x !== ''), holds: 'a non-empty list of sources such as "input"' },
  optional: { valid: (v) => typeof v === 'boolean', holds: 'true or false' },
};

function isScalar(v: unknown): boolean {
  return v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * What is wrong with a manifest's `arguments` (a suffix for the message, starting with the path),
 * or null. The engine holds calls to these records (engine/argument-policy.ts), and a reviewer
 * reads them: a record filed under a name that is not one of the manifest's actions, or an origin
 * the engine would read otherwise than a reviewer (a bare string, `literals` as a string, a key
 * misspelled), would show a constraint that nothing enforces.
 */
function callRecordsProblem(value: unknown, actions: ReadonlySet<string>): string | null {
  if (!isPlainObject(value)) return ' must map action names to lists of { line, args } records';
  for (const [action, calls] of Object.entries(value)) {
    const at = `[${JSON.stringify(action)}]`;
    if (!actions.has(action)) return `${at} is not one of manifest.actions: records of an action the workflow does not declare hold nothing`;
    if (!Array.isArray(calls)) return `${at} must be a list of { line, args } records`;
    for (const [i, c] of calls.entries()) {
      if (!isPlainObject(c) || !Number.isInteger(c.line) || !isPlainObject(c.args)) return `${at}[${i}] must be a { line, args } record`;
      for (const [key, origin] of Object.entries(c.args)) {
        const where = `${at}[${i}].args[${JSON.stringify(key)}]`;
        if (!isPlainObject(origin)) return `${where} must be an object such as { "literal": … } or { "from": ["input"] }`;
        for (const [k, v] of Object.entries(origin)) {
          const spec = Object.prototype.hasOwnProperty.call(originFields, k) ? originFields[k] : undefined;
          if (spec === undefined) return `${where} has ${JSON.stringify(k)}, which is none of ${Object.keys(originFields).join(', ')}`;
          if (!spec.valid(v)) return `${where}.${k} must be ${spec.holds}`;
        }
      }
    }
  }
  return null;
}
