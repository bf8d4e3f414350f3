import { heldToSource, type ActionCallRecord, type ArgumentOrigin } from '../bundle.js';

/**
 * What the manifest's argument records let a call of one action pass, as the engine enforces
 * it: a reviewer approves a workflow by what its manifest says it sends (`email.send` to
 * `"ops@corp.example"`, `kv.set` under `"report:"`), so a call whose fields contradict every
 * record of its action is refused, whatever the compiler's analysis missed and whoever wrote
 * the bundle. See docs/runtime.md, "The manifest's arguments are enforced".
 *
 * A call cannot say which record (call site) it comes from, so each field may take what any
 * record allows it. A field is held to:
 * - the literals the records list (`literal`, `literals`), when no record says anything else
 *   flows in (`from`);
 * - a record's `prefix` (the literal text before a template's first hole), when the value is
 *   built from the input, a result or code: a string that starts with one of the prefixes;
 * - its presence, when every record writes it with literals or a prefix: a reviewer who reads
 *   `kv.list({ prefix: "report:" })` approves listing under "report:", not listing everything.
 *   A record says when its call may leave a field out (`optional`: `all ? {} : { prefix }`), and
 *   a value from the input or a result with no prefix may be undefined, which JSON leaves out.
 * A field no record writes is refused unless some record spreads unknown fields into its argument.
 * A record that writes no object literal (`*`) or a key only known at run time (`?`) makes the
 * whole argument unknown: the action's calls are not held to anything.
 */
export type ArgumentPolicy = (args: Record<string, unknown>) => string | null;

/** Per field: the literals it may be, the prefixes it may start with, whether anything goes, whether it may be left out. */
interface FieldRule {
  any: boolean;
  literals: Array<string | number | boolean | null>;
  prefixes: string[];
  mayBeAbsent: boolean;
}

/**
 * The policy of one action's records, or null when they leave its arguments open (or there are
 * none). `secret`: the action's secret fields, never quoted in a refusal (it is logged and
 * stored as the step's outcome).
 */
export function argumentPolicy(action: string, records: readonly ActionCallRecord[] | undefined, secret: readonly string[] = []): ArgumentPolicy | null {
  if (records === undefined || records.length === 0) return null;
  const fields = new Map<string, FieldRule>();
  let extraFields = false;
  for (const r of records) {
    if (isMarker(r.args, '*') || isMarker(r.args, '?')) return null;
    if (isMarker(r.args, '...')) extraFields = true;
  }
  const named = new Set<string>();
  for (const r of records) for (const key of Object.keys(r.args)) if (!isMarker(r.args, key)) named.add(key);
  for (const key of named) {
    const rule: FieldRule = { any: false, literals: [], prefixes: [], mayBeAbsent: false };
    for (const r of records) {
      if (own(r.args, key)) {
        addOrigin(rule, r.args[key]);
        if (mayBeAbsent(r.args[key])) rule.mayBeAbsent = true;
      } else {
        // Not written by this call, which sends it without the field (or its spread of unknown
        // fields supplies it).
        rule.mayBeAbsent = true;
        if (isMarker(r.args, '...')) rule.any = true;
      }
      // A spread after the field may replace it with undefined.
      if (isMarker(r.args, '...')) rule.mayBeAbsent = true;
    }
    fields.set(key, rule);
  }
  if ([...fields.values()].every((f) => f.any) && extraFields) return null;
  return (args) => {
    for (const [key, rule] of fields) {
      const problem = checkField(action, key, rule, own(args, key) ? args[key] : undefined, secret.includes(key));
      if (problem !== null) return problem;
    }
    if (!extraFields) {
      for (const key of Object.keys(args)) {
        if (!fields.has(key)) return `${action}'s argument has a field ${quote(key)}, which no call of ${action} in the manifest writes`;
      }
    }
    return null;
  };
}

function addOrigin(rule: FieldRule, o: ArgumentOrigin): void {
  // What a reviewer reads first wins: a `literal` is the value, whatever else a hand-written
  // record puts next to it.
  if (o.literal !== undefined) {
    rule.literals.push(o.literal);
    return;
  }
  if (o.from !== undefined && o.from.length > 0) {
    // Built from the input, a result or code: only a prefix written in the source holds it.
    if (typeof o.prefix === 'string' && o.prefix !== '') rule.prefixes.push(o.prefix);
    else rule.any = true;
    for (const l of o.literals ?? []) rule.literals.push(l);
    return;
  }
  if (o.literals !== undefined && o.literals.length > 0) rule.literals.push(...o.literals);
  else if (typeof o.prefix === 'string' && o.prefix !== '') rule.prefixes.push(o.prefix);
  else rule.any = true;
}

/**
 * Whether a record's call may send its argument without this field: the record says so, or the
 * value may be undefined (from the input, a result or code, unless a prefix makes it a string).
 */
function mayBeAbsent(o: ArgumentOrigin): boolean {
  return o.optional === true || !heldToSource(o);
}

function checkField(action: string, key: string, rule: FieldRule, value: unknown, secret: boolean): string | null {
  if (value === undefined) {
    if (rule.mayBeAbsent) return null;
    return `${action}'s argument leaves out ${quote(key)}, which the workflow's manifest always sends${secret ? '' : ` (${describeAllowed(rule)})`}`;
  }
  if (rule.any) return null;
  if (rule.literals.some((l) => l === value)) return null;
  if (typeof value === 'string' && rule.prefixes.some((p) => value.startsWith(p))) return null;
  if (secret) return `${action}'s ${quote(key)} (a secret field) is not a value the workflow's manifest allows`;
  return `${action}'s ${quote(key)} is ${clip(JSON.stringify(value) ?? String(value))}, but the workflow's manifest allows only ${describeAllowed(rule)}`;
}

function describeAllowed(rule: FieldRule): string {
  if (rule.any) return 'a value of its choosing';
  return [...rule.literals.map((l) => clip(JSON.stringify(l))), ...rule.prefixes.map((p) => `a string starting with ${clip(JSON.stringify(p))}`)].join(' or ');
}

/**
 * Whether `key` of a record is one of the compilers' markers (`*`, `?`, `...`), which always say
 * something flows in (`from`). A field of the argument that is really named so is recorded with
 * the value written for it: a literal one is a field like any other.
 */
function isMarker(args: Record<string, ArgumentOrigin>, key: string): boolean {
  if ((key !== '*' && key !== '?' && key !== '...') || !own(args, key)) return false;
  // `*` (the argument is not an object literal) is all a record says of its fields.
  if (key === '*' && Object.keys(args).length > 1) return false;
  // A marker always says what flows in: `"...": {}` would otherwise open every field for nothing shown.
  const o = args[key];
  return o.literal === undefined && o.from !== undefined && o.from.length > 0;
}

function own(o: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, key);
}

function quote(key: string): string {
  return `\`${clip(key)}\``;
}

function clip(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
