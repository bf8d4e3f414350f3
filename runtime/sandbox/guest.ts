/**
 * The guest runtime: the engine's code inside each sandbox context. It builds the frozen
 * `actions` object of DESIGN §10, replays journaled outcomes without host round trips, and
 * reports every new call to the host through one synchronous callback.
 *
 * It is injected as source text (see `guestSource`), so it must not refer to anything outside
 * its parameters. It runs before workflow code and captures every intrinsic it relies on, so a
 * workflow that later patches `JSON`, `Promise` or `Map` only fools itself: the host trusts
 * nothing from the guest but primitive values, and re-checks all of them.
 *
 * It runs in two phases. Evaluating `guestSource` in a fresh context sets the context up
 * (captures intrinsics, replaces `Date`, `Math.random` and the rest) and returns the guest's one
 * entry point; the pool does this when it prepares a context, on isolated-vm's own thread,
 * so that this cost stays off the host's step path. The first call through the entry point
 * (`init`) then binds the context to one execution: its config and its host callback.
 */
import { durationMs, fingerprint53, strictJson } from './shared.js';
import { pinZoneAndLocale } from './zone.js';

/** Messages from guest to host; the first argument of the host callback. */
export type GuestMessage =
  | 'issue' // seq, action, canonical args: a call not in the journal; answers `[time, outcome]` JSON when it completed inline
  | 'feed' // (stream, index): answers batch `index` of journaled outcomes of a stream (see `GuestOp`), or "" past the last
  | 'nondet' // seq, actual action, actual fingerprint, actual canonical args: a call that differs from the journal
  | 'missing' // seq, action: a journaled call the re-run never issued
  | 'unreadable' // message: a batch of the journal's outcomes the guest could not read (a store edited by hand or damaged)
  | 'log' // index, text
  | 'done' // output JSON
  | 'error' // error JSON {name, message, code, stack}
  | 'limit'; // limit name, message

/** Per-execution configuration passed to the guest as one JSON string. */
export interface GuestConfig {
  /** Four 32-bit seed words of the run's PRNG (derived from the run id host-side). */
  seed: [number, number, number, number];
  /** The run's logical start time (ms since epoch). */
  start: number;
  /** Number of `log()` lines already recorded; re-run lines up to this index are not sent. */
  logCount: number;
  maxSteps: number;
  maxBytes: number;
  /** Declared catalog actions, e.g. `["kv.get", "email.send"]`. */
  actions: string[];
  /** Secret argument fields per action: masked before fingerprinting, so no hash confirms a guess. */
  secrets: Record<string, string[]>;
  /**
   * Completed steps, column by column, each in completion order. Their outcomes and arguments
   * are pulled from the host in batches as the re-run needs them.
   */
  journal: GuestJournal;
}

/**
 * The journal's completed steps as columns in completion order: a handful of arrays, not an
 * object per step, since whatever the guest keeps for the whole re-run is copied by every
 * young-generation collection it lives through.
 */
export interface GuestJournal {
  /**
   * Each step's seq; or, when the steps are seqs 1..n in that order (a run that awaited each
   * step as it went), just n, so that neither side spells out (nor the guest indexes) a list
   * that says nothing.
   */
  seq: number[] | number;
  /** Index into `names` of each step's action. */
  name: number[];
  names: string[];
  /** `fingerprint53` of each step's journaled (masked) arguments: 14 hex digits per step. */
  fp: string;
  /** Logical time at which each step's outcome was committed. */
  time: Array<number | null>;
  /** 1 if the outcome was handed back at the call (inline), else 0. */
  inline: number[];
  /** 1 when the inline steps' outcomes come in a feed stream of their own (see `fedThrough`). */
  split: number;
}

export type Outcome =
  | { ok: true; value: unknown }
  | { ok: false; error: { code: string; message: string; action?: string; details?: unknown } };

type HostFn = (kind: GuestMessage, a?: unknown, b?: unknown, c?: unknown, d?: unknown) => unknown;

/**
 * The operations of the guest's one entry point, `(op, a, b, c) => void`: one reference per
 * context serves them all, so an execution needs no property reads across the bridge.
 */
export const GuestOp = {
  /** (host callback, config JSON): binds the context to one execution; only once. */
  init: 0,
  /** (module loader, input JSON): runs the workflow until its first await settles. */
  start: 1,
  /** (seq, outcome JSON, logical time): a committed outcome. */
  deliver: 2,
  /**
   * (): settles the next journaled step that was not delivered inline (those are settled at
   * their calls). The outcomes come from the host's 'feed' answers: the next journal entries of
   * a stream (ordinary steps, or inline ones) in completion order, as a JSON array of their
   * outcomes, each a `FeedKind` and a value, U+001D, then the texts of their (masked) arguments
   * as journaled, separated by U+001E.
   */
  replayNext: 4,
  /** (): the journal has been replayed; a journaled inline call the re-run never made is a divergence. */
  replayEnd: 5,
} as const;
export type GuestOp = (typeof GuestOp)[keyof typeof GuestOp];

/**
 * How a fed outcome is written, `kind, value`: a result as its value alone, an error as its
 * error object, and (only from a store edited by hand) anything else as the whole outcome. The
 * guest parses a thousand `{"ok":true,"value":…}` wrappers less per thousand replayed steps.
 */
export const FeedKind = { error: 0, value: 1, outcome: 2 } as const;

/** The guest's entry point, as the host calls it. */
export type GuestEntry = (op: GuestOp, a?: unknown, b?: unknown, c?: unknown) => void;

function guestRuntime(
  strictJsonOf: typeof strictJson,
  fingerprintOf: typeof fingerprint53,
  duration: typeof durationMs,
  pinZone: typeof pinZoneAndLocale,
): GuestEntry {
  'use strict';
  const G = globalThis as Record<string, unknown>;
  const parse = JSON.parse;
  const stringify = JSON.stringify;
  const freeze = Object.freeze;
  const defineProperty = Object.defineProperty;
  const create = Object.create;
  const setPrototypeOf = Object.setPrototypeOf;
  const isArray = Array.isArray;
  const keysOf = Object.keys;
  const P = Promise;
  const promiseThen = P.prototype.then;
  // Captured: the workflow may replace Promise.resolve / Promise.reject, and must not see or
  // change how its steps settle.
  const resolveWith = P.resolve;
  const rejectWith = P.reject;
  const apply = Reflect.apply;
  // The same, bound to the captured Promise: a step settles without an arguments array for
  // Reflect.apply (replay settles every journaled step this way).
  const resolveNow = apply(Function.prototype.bind, resolveWith, [P]) as (value: unknown) => Promise<unknown>;
  const rejectNow = apply(Function.prototype.bind, rejectWith, [P]) as (reason: unknown) => Promise<never>;
  const construct = Reflect.construct;
  const ErrorCtor = Error;
  const StringCtor = String;
  const captureStack = Error.captureStackTrace;
  const charCodeAt = String.prototype.charCodeAt;
  const indexOf = String.prototype.indexOf;
  const sliceOf = String.prototype.slice;
  const splitOf = String.prototype.split;
  // JSON.stringify calls a BigInt's toJSON (its own, or one on Object.prototype), where the
  // strict walk refuses every BigInt: a BigInt has none here, for good, so the two agree.
  if (typeof BigInt === 'function') defineProperty(BigInt.prototype, 'toJSON', { value: undefined, writable: false, enumerable: false, configurable: false });
  // String.prototype.split asks its separator, even a string, for a Symbol.split method, found on
  // String.prototype or Object.prototype: the runtime splits the journal's texts with it, so
  // none may ever be found there (splitting then works as for any string, workflow's own too).
  defineProperty(String.prototype, Symbol.split, { value: undefined, writable: false, enumerable: false, configurable: false });

  // The shared helpers (shared.ts) with what they call on values bound to the original
  // methods: a workflow that patches Array.prototype.sort or String.prototype.charCodeAt must
  // neither break the check of its re-issued calls nor make two calls' fingerprints agree.
  const callOf = Function.prototype.call;
  const bindTo = Function.prototype.bind;
  const sortKeys = apply(bindTo, callOf, [Array.prototype.sort]) as (keys: string[]) => unknown;
  const codeAt = apply(bindTo, callOf, [charCodeAt]) as (text: string, i: number) => number;
  // Boxed primitives are written as JSON.stringify writes them (their primitive), so that the
  // builtin's text of a re-issued call is the strict walk's. The brand checks use the original
  // valueOf methods (each throws for any other object); plain objects and arrays skip them.
  const getProto = Object.getPrototypeOf;
  const SyntaxErrorProto = SyntaxError.prototype;
  const ObjectProto = Object.prototype;
  const ArrayProto = Array.prototype;
  const numberOf = Number.prototype.valueOf;
  const stringOf = String.prototype.valueOf;
  const booleanOf = Boolean.prototype.valueOf;
  const bigintOf = typeof BigInt === 'function' ? BigInt.prototype.valueOf : null;
  const branded = (valueOf: (...a: unknown[]) => unknown, obj: object): boolean => {
    try {
      apply(valueOf, obj, []);
      return true;
    } catch (e) {
      return false;
    }
  };
  // As JSON.stringify: ToNumber and ToString of a Number or String object, the slot of the others.
  const unbox = (obj: object): unknown => {
    const proto = getProto(obj);
    if (proto === ObjectProto || proto === ArrayProto) return undefined;
    if (branded(numberOf, obj)) return +(obj as unknown as number);
    if (branded(stringOf, obj)) return StringCtor(obj);
    if (branded(booleanOf, obj)) return apply(booleanOf, obj, []);
    if (bigintOf !== null && branded(bigintOf, obj)) return apply(bigintOf, obj, []);
    return undefined;
  };
  const canonical = (value: unknown): string => strictJsonOf(value, true, sortKeys, unbox);
  const strict = (value: unknown): string => strictJsonOf(value, false, undefined, unbox);
  const fp53 = (text: string): number => fingerprintOf(text, codeAt);

  // Set by `init`, before any workflow code runs in this context.
  let host: HostFn = () => undefined;
  let cfg = null as unknown as GuestConfig;
  let clock = 0;
  let bound = false;

  // sfc32, seeded by the run id: same sequence on every re-run of the run.
  let sa = 0, sb = 0, sc = 0, sd = 0;
  function random(): number {
    sa >>>= 0; sb >>>= 0; sc >>>= 0; sd >>>= 0;
    let t = (sa + sb) | 0;
    sa = sb ^ (sb >>> 9);
    sb = (sc + (sc << 3)) | 0;
    sc = (sc << 21) | (sc >>> 11);
    sd = (sd + 1) | 0;
    t = (t + sd) | 0;
    sc = (sc + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  // The journal's columns (see GuestJournal), read by position in completion order.
  let J = null as unknown as GuestJournal;
  // The journal's seqs when they are 1..n (`dense` is n, and step s is at position s - 1), else
  // -1 and `seqList` with `position`. `count` is the number of journaled steps either way.
  let dense = -1;
  let seqList: number[] = [];
  let count = 0;
  // Lookups by seq are arrays with no prototype: a hole reads as undefined, never as an index the
  // workflow put on Array.prototype or Object.prototype (nor does a Map's patched `get` answer).
  const bySeq = <T>(): Array<T | undefined> => setPrototypeOf([], null) as Array<T | undefined>;
  // A journaled step's position in completion order, by seq (the order the host feeds them in).
  const position = bySeq<number>();
  // Fed outcomes by seq, until their step is settled: the kind (`FeedKind`, as literals: this
  // function runs in the sandbox, away from this module) and the value.
  const kindError = 0, kindValue = 1, kindOutcome = 2;
  const kindOf = bySeq<number>();
  const outcomeOf = bySeq<unknown>();
  // The journaled arguments' canonical text, by seq, once fed and until the call is re-issued:
  // a re-issued call is checked by comparing strings, which costs next to nothing, where hashing
  // them runs a loop per character in V8's interpreter (every context starts cold).
  const journalArgs = bySeq<string>();
  // Seqs whose journaled text holds "null" (see `call`); a fed batch without any marks none.
  const argsWithNull = bySeq<boolean>();
  // The journal index (completion order) of the next entry not yet fed, in each stream: ordinary
  // steps (0) and inline ones (1). Each cursor stays on an entry of its own stream.
  const fedNext = [0, 0];
  // The index of the next feed batch to ask for, in each stream: counted once a batch is read.
  const unitNext = [0, 0];
  const waiting = bySeq<[(v: unknown) => void, (e: unknown) => void]>();
  let replayIdx = 0;
  let seq = 0;
  let logIndex = 0;
  let finished = false;
  let halted = false;

  class ActionError extends ErrorCtor {
    declare code: string;
    declare action: string | undefined;
    declare details: unknown;
    constructor(code: string, message: string, action?: string, details?: unknown) {
      super(message);
      // Defined, not assigned: a setter the workflow put on Error.prototype must not run here.
      const own = { writable: true, configurable: true, enumerable: false };
      defineProperty(this, 'name', { ...own, value: 'ActionError' });
      defineProperty(this, 'code', { ...own, enumerable: true, value: code });
      defineProperty(this, 'action', { ...own, enumerable: true, value: action });
      defineProperty(this, 'details', { ...own, enumerable: true, value: details });
    }
  }
  freeze(ActionError.prototype);
  freeze(ActionError);

  /**
   * An ActionError the runtime throws into the workflow (a step's failure). Its stack is only
   * its name and message: V8's would name the runtime's own frames, which differ between the
   * first run (delivered in a slice) and a re-run (settled from the journal), so a workflow
   * that reports `e.stack` would take another path on replay, and could tell the two apart.
   */
  function stepError(code: string, message: string, action?: string, details?: unknown): ActionError {
    const err = new ActionError(code, message, action, details);
    defineProperty(err, 'stack', { writable: true, configurable: true, enumerable: false, value: `ActionError: ${message}` });
    return err;
  }

  function halt(limit: string, message: string): void {
    if (halted) return;
    halted = true;
    host('limit', limit, message);
  }

  function never(): Promise<never> {
    return new P<never>(() => {});
  }

  function rejected(code: string, message: string, action: string): Promise<never> {
    return new P<never>((_, reject) => reject(stepError(code, message, action)));
  }

  // `plain`: the action has no secret fields (the wrappers in `actions` know it when built).
  function call(name: string, args: unknown, plain = secretsOf[name] === undefined): Promise<unknown> {
    if (finished || halted) return never();
    const arg = args === undefined ? {} : args;
    if (arg === null || typeof arg !== 'object' || isArray(arg)) {
      return rejected('ALICE_VALIDATION', `${name} takes one object of named arguments, got ${arg === null ? 'null' : isArray(arg) ? 'an array' : typeof arg}`, name);
    }
    // The arguments cross as the text JSON.stringify writes (the host derives the canonical form
    // for the digest), built by a strict walk that refuses what JSON would silently change. A
    // re-run checks a journaled call with the builtin JSON.stringify first: one pass of native
    // code, where the walk runs in V8's interpreter (every context starts cold) and cost half
    // of what replaying a step does. Either way the workflow's getters run once per call.
    const peeked = dense >= 0 ? (seq < dense ? seq : undefined) : position[seq + 1];
    let text: string | undefined = undefined;
    let matched = false;
    if (peeked !== undefined && J.names[J.name[peeked]] === name && plain) {
      if (J.inline[peeked] === 1 && kindOf[seq + 1] === undefined) fedThrough(seq + 1);
      const expected = journalArgs[seq + 1];
      // JSON.stringify writes NaN and ±Infinity as null, where the strict walk refuses them: a
      // call the first run refused (it took no step) could then match the next journaled call.
      // Only a text with no null in it is surely one the strict walk writes the same.
      if (expected !== undefined && argsWithNull[seq + 1] !== true) {
        const before = seq;
        let quick: string | undefined;
        try {
          quick = stringify(arg);
        } catch (e) {
          quick = undefined;
        }
        if (quick === expected) {
          text = quick;
          matched = true;
        } else if (seq !== before && quick !== undefined) {
          // A getter issued calls while the arguments were serialized: serializing them again
          // would issue them again, which the first run did not. Check this text as it is.
          text = quick;
        }
      }
    }
    if (text === undefined) {
      try {
        text = strict(arg);
      } catch (e) {
        return rejected('ALICE_INVALID_VALUE', `arguments of ${name} are not JSON: ${describeThrown(e)}`, name);
      }
    }
    if (text.length > cfg.maxBytes) {
      halt('bridge-bytes', `arguments of ${name} are ${text.length} characters, over the ${cfg.maxBytes}-byte limit`);
      return never();
    }
    const n = ++seq;
    if (n > cfg.maxSteps) {
      halt('steps', `step ${n} (${name}) is over the limit of ${cfg.maxSteps} steps per run`);
      return never();
    }
    // A getter or toJSON that called an action while the arguments were serialized took the
    // step number peeked at above: then the quick match was against another step's entry.
    const at = dense >= 0 ? (n <= dense ? n - 1 : undefined) : position[n];
    if (at !== peeked) matched = false;
    if (at !== undefined) {
      const expected = journalArgs[n];
      journalArgs[n] = undefined;
      if (!matched) {
        // An inline step is settled here, so its outcome (and arguments) must be at hand first.
        if (J.inline[at] === 1) fedThrough(n);
        const secret = secretsOf[name];
        const sent = secret === undefined ? text : stringify(mask(parse(text) as Record<string, unknown>, secret));
        if (J.names[J.name[at]] !== name || (sent !== (expected ?? journalArgs[n]) && !sameCall(sent, at))) {
          journalArgs[n] = undefined;
          halted = true;
          host('nondet', n, name, 0, text);
          return never();
        }
        journalArgs[n] = undefined;
      }
      if (J.inline[at] === 1) {
        // Delivered at the call the first time: settled at the call again.
        const kind = kindOf[n];
        const value = outcomeOf[n];
        kindOf[n] = undefined;
        outcomeOf[n] = undefined;
        if (kind === kindValue) {
          const time = J.time[at] as number;
          if (time > clock) clock = time;
          return resolveNow(value);
        }
        if (kind !== undefined) return settled(fedOutcome(kind, value), J.time[at] as number);
        return never();
      }
      return pending(n);
    }
    // An inline action's outcome comes back at once, committed: settle the step now, as a
    // re-run will from the journal.
    const answer = host('issue', n, name, text);
    if (typeof answer === 'string') {
      const done = parse(answer) as [number, Outcome];
      return settled(done[1], done[0]);
    }
    return pending(n);
  }

  // A step's promise, settled later by `deliver` or `replayNext`.
  function pending(n: number): Promise<unknown> {
    return new P<unknown>((resolve, reject) => {
      waiting[n] = [resolve, reject];
    });
  }

  // A step's promise, settled now with its committed outcome. `Promise.resolve` of parsed JSON
  // (never a promise) is `new Promise((r) => r(value))` to the microtask: same jobs, same order,
  // so runs journaled by either form replay alike. It skips the executor closure, which in a
  // fresh context's interpreter cost about half a microsecond per step.
  function settled(outcome: Outcome, time: number): Promise<unknown> {
    if (time > clock) clock = time;
    if (outcome.ok) return resolveNow(outcome.value);
    const e = outcome.error;
    return rejectNow(stepError(StringCtor(e.code), StringCtor(e.message), e.action, e.details));
  }

  // A fed outcome as the live path has it (an outcome object) from its kind and value.
  function fedOutcome(kind: number, value: unknown): Outcome {
    if (kind === kindValue) return { ok: true, value };
    if (kind === kindError) return { ok: false, error: value as Extract<Outcome, { ok: false }>['error'] };
    return value as Outcome;
  }

  // The feed stream a journal entry's outcome comes in: 1 for an inline step when they have
  // a stream of their own, else 0.
  function streamOf(at: number): number {
    return J.split === 1 && J.inline[at] === 1 ? 1 : 0;
  }

  // The first journal index from `i` on whose entry is in `stream`.
  function nextOf(stream: number, i: number): number {
    if (J.split !== 1) return stream === 0 ? i : count;
    while (i < count && streamOf(i) !== stream) i++;
    return i;
  }

  // Pulls batches of journaled outcomes from the host until step n's is in. Inline steps come in
  // a stream of their own: each is settled at its call, so its outcome is needed then, and
  // pulling it through the ordinary outcomes that completed before it would hold all of those
  // in the heap until their turn.
  function fedThrough(n: number): boolean {
    const at = dense >= 0 ? (n <= dense ? n - 1 : undefined) : position[n];
    if (at === undefined) return false;
    const stream = streamOf(at);
    while (fedNext[stream] <= at) {
      const text = host('feed', stream, unitNext[stream]);
      if (typeof text !== 'string' || text === '') return false;
      // `[kind, value, …]` U+001D `text` U+001E `text` … (see the host's feedUnit).
      const cut = apply(indexOf, text, ['\x1d']) as number;
      let outcomes: unknown[];
      let texts: string[];
      try {
        outcomes = cut < 0 ? [] : parse(apply(sliceOf, text, [0, cut]) as string) as unknown[];
        texts = cut < 0 ? [] : apply(splitOf, apply(sliceOf, text, [cut + 1]), ['\x1e']) as string[];
      } catch (e) {
        // Text that is not JSON is the store's (an outcome edited by hand); anything else, such
        // as the stack running out under a deep recursion of the workflow's, is not, and goes
        // on to the workflow's call as before. The batch is asked for again next time.
        if (e === null || typeof e !== 'object' || getProto(e) !== SyntaxErrorProto) throw e;
        outcomes = [];
        texts = [];
      }
      const pairs = texts.length;
      let readable = pairs > 0 && isArray(outcomes) && outcomes.length === 2 * pairs;
      for (let i = 0; readable && i < pairs; i++) {
        const k = outcomes[2 * i];
        readable = k === kindValue || k === kindError || k === kindOutcome;
      }
      if (!readable) {
        halted = true;
        host('unreadable', 'a batch of the journal\'s outcomes does not line up with its steps');
        return false;
      }
      // One search of the texts instead of one per step: most batches have no null.
      const nulls = (apply(indexOf, text, ['null', cut]) as number) >= 0;
      const oneStream = J.split !== 1;
      // Locals, not the cursors and columns, inside the loop: it runs once per journaled step in
      // V8's interpreter. Nothing in it runs workflow code, so `seq` cannot change meanwhile.
      const seqs = seqList;
      const n1 = dense >= 0 ? 1 : 0;
      const issued = seq;
      let c = fedNext[stream];
      for (let i = 0, k = 0; i < pairs && c < count; i++, k += 2) {
        const s = n1 === 1 ? c + 1 : seqs[c];
        kindOf[s] = outcomes[k] as number;
        outcomeOf[s] = outcomes[k + 1];
        // Calls already issued were checked by fingerprint; their text is not kept.
        if (s > issued) {
          const args = texts[i];
          journalArgs[s] = args;
          if (nulls && (apply(indexOf, args, ['null']) as number) >= 0) argsWithNull[s] = true;
        }
        c = oneStream ? c + 1 : nextOf(stream, c + 1);
      }
      fedNext[stream] = c;
      unitNext[stream]++;
    }
    return true;
  }

  // Whether a re-issued call whose text differs from the journaled text (an older version
  // journaled the canonical form; arguments not fed yet) is the same call all the same: the
  // journal's fingerprint is of the canonical form of the (masked) arguments.
  function sameCall(sent: string, at: number): boolean {
    try {
      // The journal's hex, read here rather than for every entry up front: only this path needs it.
      let expected = 0;
      for (let i = 14 * at; i < 14 * at + 14; i++) {
        const c = apply(charCodeAt, J.fp, [i]) as number;
        if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
        expected = expected * 16 + (c <= 57 ? c - 48 : c - 87);
      }
      return fp53(canonical(parse(sent))) === expected;
    } catch (e) {
      return false;
    }
  }

  // The host's redaction of secret fields, on parsed (plain) arguments: same keys, same order.
  function mask(o: Record<string, unknown>, secret: string[]): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if (o === null || typeof o !== 'object' || isArray(o)) return o;
    const keys = keysOf(o);
    for (let i = 0; i < keys.length; i++) defineProperty(out, keys[i], { value: o[keys[i]], writable: true, enumerable: true, configurable: true });
    for (let i = 0; i < secret.length; i++) if (secret[i] in out) defineProperty(out, secret[i], { value: '[secret]', writable: true, enumerable: true, configurable: true });
    return out;
  }

  function describeThrown(e: unknown): string {
    try {
      return e !== null && typeof e === 'object' && typeof (e as Error).message === 'string' ? (e as Error).message : StringCtor(e);
    } catch (err) {
      return 'the value could not be converted';
    }
  }

  function settleStep(n: number, outcome: Outcome, time: number): boolean {
    const w = waiting[n];
    if (w === undefined) return false;
    waiting[n] = undefined;
    if (time > clock) clock = time;
    if (outcome.ok) {
      w[0](outcome.value);
    } else {
      const e = outcome.error;
      w[1](stepError(StringCtor(e.code), StringCtor(e.message), e.action, e.details));
    }
    return true;
  }

  function describe(err: unknown): string {
    const out: Record<string, string | undefined> = { name: 'Error', message: '', code: undefined, stack: undefined };
    try {
      if (err !== null && (typeof err === 'object' || typeof err === 'function')) {
        const e = err as Record<string, unknown>;
        out.name = typeof e.name === 'string' ? e.name : 'Error';
        out.message = typeof e.message === 'string' ? e.message : StringCtor(err);
        out.code = typeof e.code === 'string' ? e.code : undefined;
        out.stack = typeof e.stack === 'string' ? e.stack : undefined;
      } else {
        out.name = 'Thrown';
        out.message = StringCtor(err);
      }
    } catch (e) {
      out.message = 'the thrown value could not be read';
    }
    const text = stringify(out);
    return text.length > cfg.maxBytes ? stringify({ name: out.name, message: StringCtor(out.message).slice(0, 4096), code: out.code }) : text;
  }

  function logLine(...values: unknown[]): void {
    if (finished || halted) return;
    const index = ++logIndex;
    if (index <= cfg.logCount) return;
    let text = '';
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      let part: string;
      if (typeof v === 'string') part = v;
      else {
        try {
          part = canonical(v);
        } catch (e) {
          part = StringCtor(v);
        }
      }
      text += (i > 0 ? ' ' : '') + part;
      if (text.length > cfg.maxBytes) break;
    }
    if (text.length > cfg.maxBytes) {
      halt('bridge-bytes', `log line ${index} is over the ${cfg.maxBytes}-byte limit`);
      return;
    }
    host('log', index, text, callSite());
  }

  // Where the workflow called log(): "line:column" of the first frame in the workflow script,
  // which the host maps through the bundle's source map. Read with the intrinsics captured
  // above, since the workflow may have patched String.prototype or Error by now.
  function callSite(): string | undefined {
    try {
      const holder = create(null) as { stack?: unknown };
      apply(captureStack, ErrorCtor, [holder, logLine]);
      const stack = holder.stack;
      if (typeof stack !== 'string') return undefined;
      let at = apply(indexOf, stack, ['workflow:']) as number;
      if (at < 0) return undefined;
      at = apply(indexOf, stack, ['.js:', at]) as number;
      if (at < 0) return undefined;
      let i = at + 4;
      let line = 0;
      let column = 0;
      for (let c = apply(charCodeAt, stack, [i]) as number; c >= 48 && c <= 57; c = apply(charCodeAt, stack, [++i]) as number) line = line * 10 + (c - 48);
      if ((apply(charCodeAt, stack, [i]) as number) !== 58) return undefined;
      for (let c = apply(charCodeAt, stack, [++i]) as number; c >= 48 && c <= 57; c = apply(charCodeAt, stack, [++i]) as number) column = column * 10 + (c - 48);
      return line > 0 && column > 0 ? `${line}:${column}` : undefined;
    } catch (e) {
      return undefined;
    }
  }

  function sleep(d: unknown): Promise<unknown> {
    let ms: number;
    try {
      ms = duration(d);
    } catch (e) {
      return rejected('ALICE_INVALID_VALUE', (e as Error).message, 'sleep');
    }
    return call('sleep', { ms });
  }

  function waitForEvent(type: unknown, options?: unknown): Promise<unknown> {
    if (typeof type !== 'string' || type.length === 0) {
      return rejected('ALICE_VALIDATION', 'waitForEvent(type, { match, timeout }) needs an event type string', 'waitForEvent');
    }
    const o = (options ?? {}) as { match?: unknown; timeout?: unknown };
    if (typeof o !== 'object') return rejected('ALICE_VALIDATION', 'waitForEvent options must be an object', 'waitForEvent');
    let timeoutMs: number | null = null;
    if (o.timeout !== undefined && o.timeout !== null) {
      try {
        timeoutMs = duration(o.timeout);
      } catch (e) {
        return rejected('ALICE_INVALID_VALUE', (e as Error).message, 'waitForEvent');
      }
    }
    const match = o.match === undefined ? null : o.match;
    if (match !== null && (typeof match !== 'object' || isArray(match))) {
      return rejected('ALICE_VALIDATION', 'waitForEvent match must be an object of fields the event data must equal', 'waitForEvent');
    }
    return call('waitForEvent', { type, match, timeoutMs });
  }

  // The actions object of DESIGN §10: null prototypes, frozen, exactly the declared names.
  let actions = null as unknown as Record<string, unknown>;
  function buildActions(): Record<string, unknown> {
    const out = create(null) as Record<string, unknown>;
    for (let i = 0; i < cfg.actions.length; i++) {
      const name = cfg.actions[i];
      const plain = secretsOf[name] === undefined;
      const parts = name.split('.');
      let node = out;
      for (let j = 0; j < parts.length - 1; j++) {
        let next = node[parts[j]] as Record<string, unknown> | undefined;
        if (next === undefined) {
          next = create(null) as Record<string, unknown>;
          node[parts[j]] = next;
        }
        node = next;
      }
      node[parts[parts.length - 1]] = (args: unknown) => call(name, args, plain);
    }
    out.sleep = sleep;
    out.waitForEvent = waitForEvent;
    out.now = () => clock;
    out.random = random;
    out.log = logLine;
    (function deepFreeze(o: Record<string, unknown>) {
      for (const k of Object.keys(o)) {
        const v = o[k];
        if (v !== null && typeof v === 'object') deepFreeze(v as Record<string, unknown>);
      }
      freeze(o);
    })(out);
    return out;
  }

  // Defence in depth behind the static checks: ambient time and randomness become the run's
  // logical clock and PRNG, and APIs that observe the garbage collector or share memory go.
  // Date and the locale APIs in UTC and en-US, whatever the worker's TZ and LANG (zone.ts);
  // `new Date()`, `Date()`, `Date.now()` and Intl's formatting of "now" read the logical clock.
  pinZone(G, () => clock);
  defineProperty(Math, 'random', { value: random, writable: false, configurable: false });
  function refuse(name: string) {
    return function () {
      throw new ErrorCtor(`${name} is not available in a workflow: it observes garbage collection, which differs on every re-run`);
    };
  }
  // Code from strings: the checker refuses eval and the Function constructors by every path it
  // can follow, but a value typed as something else (a class instance whose prototype was
  // swapped) can still lead to them, and a hand-written bundle is not checked at all. Here every
  // path ends: %Function%, %AsyncFunction%, %GeneratorFunction% and %AsyncGeneratorFunction%
  // are reachable only as their prototypes' `constructor` and as the global Function, and %eval%
  // only as the global. The replacement keeps Function.prototype, so `f instanceof Function` holds.
  const EvalErrorCtor = EvalError;
  const noCodeFromStrings = function Function() {
    throw new EvalErrorCtor('code generation from strings is not available in a workflow: the reviewed source must be all the code that runs');
  };
  defineProperty(noCodeFromStrings, 'prototype', { value: Function.prototype, writable: false, enumerable: false, configurable: false });
  for (const fnProto of [Function.prototype, getProto(async function () {}), getProto(function* () {}), getProto(async function* () {})]) {
    defineProperty(fnProto, 'constructor', { value: noCodeFromStrings, writable: false, enumerable: false, configurable: false });
  }
  defineProperty(G, 'Function', { value: noCodeFromStrings, writable: false, enumerable: false, configurable: false });
  defineProperty(G, 'eval', {
    value: function evaluate() {
      throw new EvalErrorCtor('eval is not available in a workflow: the reviewed source must be all the code that runs');
    },
    writable: false, enumerable: false, configurable: false,
  });
  defineProperty(G, 'WeakRef', { value: refuse('WeakRef'), writable: false, configurable: false });
  defineProperty(G, 'FinalizationRegistry', { value: refuse('FinalizationRegistry'), writable: false, configurable: false });
  delete G.SharedArrayBuffer;
  delete G.Atomics;
  // WebAssembly memory is reserved outside the V8 heap, so the heap limit would not see it.
  delete G.WebAssembly;
  // Likewise the reserved size of a resizable ArrayBuffer: plain buffers only.
  const RealArrayBuffer = ArrayBuffer;
  function FixedArrayBuffer(this: unknown, length?: unknown, options?: unknown): unknown {
    if (new.target === undefined) throw new TypeError("Constructor ArrayBuffer requires 'new'");
    if (options !== undefined && options !== null && typeof options === 'object' && (options as { maxByteLength?: unknown }).maxByteLength !== undefined) {
      throw new RangeError('resizable ArrayBuffers are not available in a workflow: their reserved memory escapes the heap limit');
    }
    return construct(RealArrayBuffer, [length], new.target);
  }
  defineProperty(FixedArrayBuffer, 'prototype', { value: RealArrayBuffer.prototype, writable: false });
  defineProperty(RealArrayBuffer.prototype, 'constructor', { value: FixedArrayBuffer, writable: true, configurable: true });
  (FixedArrayBuffer as unknown as { isView: unknown }).isView = RealArrayBuffer.isView;
  defineProperty(G, 'ArrayBuffer', { value: FixedArrayBuffer, writable: false, configurable: false });
  // V8 calls Error.prepareStackTrace when a stack is read, even while isolated-vm copies an error
  // out of the sandbox, outside any timeout: the workflow may not install one.
  defineProperty(ErrorCtor, 'prepareStackTrace', { value: undefined, writable: false, configurable: false });
  defineProperty(G, 'ActionError', { value: ActionError, writable: false, configurable: false });

  function fail(err: unknown): void {
    if (finished || halted) return;
    finished = true;
    host('error', describe(err));
  }

  function run(fn: unknown, inputJson: string): void {
    if (typeof fn !== 'function') {
      finished = true;
      host('error', stringify({ name: 'BundleError', message: 'the bundle has no default export function (export default async (input, actions) => ...)' }));
      return;
    }
    const result = apply(fn as (...a: unknown[]) => unknown, undefined, [parse(inputJson), actions]);
    apply(promiseThen, apply(resolveWith, P, [result]), [
        (value: unknown) => {
          if (finished || halted) return;
          finished = true;
          let text: string | undefined;
          try {
            text = stringify(value === undefined ? null : value);
          } catch (e) {
            // V8 explains a cycle over several lines ("--> starting at object …"): the first says it.
            const why = StringCtor((e as Error).message);
            const end = apply(indexOf, why, ['\n']) as number;
            host('error', stringify({ name: 'TypeError', message: `the workflow's output is not JSON: ${end === -1 ? why : apply(sliceOf, why, [0, end])}` }));
            return;
          }
          if (text === undefined) text = 'null';
          if (text.length > cfg.maxBytes) {
            halted = true;
            host('limit', 'bridge-bytes', `the output is ${text.length} characters, over the ${cfg.maxBytes}-byte limit`);
            return;
          }
          host('done', text);
        },
        fail,
      ]);
  }

  // Secret fields by action, in a map of its own: a workflow's Object.prototype must not supply
  // a list for an action that has none.
  const secretsOf = create(null) as Record<string, string[] | undefined>;

  function init(h: HostFn, configJson: string): void {
    // A context serves exactly one execution (DESIGN §7).
    if (bound) throw new ErrorCtor('the guest runtime is already bound to an execution');
    bound = true;
    host = h;
    cfg = parse(configJson) as GuestConfig;
    clock = cfg.start;
    [sa, sb, sc, sd] = cfg.seed;
    for (const name of keysOf(cfg.secrets)) secretsOf[name] = cfg.secrets[name];
    for (let i = 0; i < 12; i++) random();
    J = cfg.journal;
    if (typeof J.seq === 'number') {
      dense = J.seq;
      count = dense;
    } else {
      seqList = J.seq;
      count = seqList.length;
      for (let i = 0; i < count; i++) position[seqList[i]] = i;
    }
    fedNext[0] = nextOf(0, 0);
    fedNext[1] = nextOf(1, 0);
    actions = buildActions();
  }

  // Every entry point catches everything: an exception that escaped to isolated-vm would be
  // copied out by reading its properties outside any timeout (a getter that never returns would
  // hang the host). Here, reading it happens inside the slice, under the CPU limit.
  const api = {
    start(loader: unknown, inputJson: string): void {
      try {
        // The loader runs the module's top-level code and resolves to its default export.
        const loading = apply(loader as () => Promise<unknown>, undefined, []);
        apply(promiseThen, loading, [
          (fn: unknown) => {
            try {
              run(fn, inputJson);
            } catch (err) {
              fail(err);
            }
          },
          fail,
        ]);
      } catch (err) {
        fail(err);
      }
    },
    deliver(n: number, outcomeJson: string, time: number): void {
      try {
        settleStep(n, parse(outcomeJson) as Outcome, time);
      } catch (err) {
        fail(err);
      }
    },
    replayNext(): void {
      try {
        let at = replayIdx++;
        while (at < count && J.inline[at] === 1) at = replayIdx++;
        // Within the columns only: a read past their end would ask the prototype chain.
        if (at >= count || halted) return;
        const s = dense >= 0 ? at + 1 : seqList[at];
        if (!fedThrough(s)) return;
        const kind = kindOf[s];
        const value = outcomeOf[s];
        kindOf[s] = undefined;
        outcomeOf[s] = undefined;
        if (kind === undefined) return;
        if (!settleStep(s, fedOutcome(kind, value), J.time[at] as number)) {
          halted = true;
          host('missing', s, J.names[J.name[at]]);
        }
      } catch (err) {
        fail(err);
      }
    },
    replayEnd(): void {
      try {
        if (halted) return;
        for (let i = 0; i < count; i++) {
          const s = dense >= 0 ? i + 1 : seqList[i];
          if (J.inline[i] === 1 && s > seq) {
            halted = true;
            host('missing', s, J.names[J.name[i]]);
            return;
          }
        }
      } catch (err) {
        fail(err);
      }
    },
  };

  return function entry(op: GuestOp, a?: unknown, b?: unknown, c?: unknown): void {
    switch (op) {
      case 0:
        // Runs before any workflow code: an error here is the host's, and may propagate.
        return init(a as HostFn, b as string);
      case 1:
        return api.start(a, b as string);
      case 2:
        return api.deliver(a as number, b as string, c as number);
      case 4:
        return api.replayNext();
      case 5:
        return api.replayEnd();
      default:
        return undefined;
    }
  };
}

/**
 * The guest runtime's source: a script that sets up the context it runs in and evaluates to the
 * guest's entry point (see `GuestEntry`).
 */
export const guestSource = `(function () {
  'use strict';
  // The shared helpers read JSON, Object, Array, Math, Number and String when called: here
  // they see the intrinsics as they were before any workflow code ran, not what it put there.
  const freeze = Object.freeze;
  const own = freeze({
    JSON: freeze({ stringify: JSON.stringify, parse: JSON.parse }),
    Object: freeze({ keys: Object.keys, setPrototypeOf: Object.setPrototypeOf }),
    Array: freeze({ isArray: Array.isArray }),
    Math: freeze({ imul: Math.imul, ceil: Math.ceil }),
    Number,
    String,
  });
  const bound = (make) => make(own.JSON, own.Object, own.Array, own.Math, own.Number, own.String);
  const strictJson = bound((JSON, Object, Array, Math, Number, String) => ${strictJson.toString()});
  const fingerprint53 = bound((JSON, Object, Array, Math, Number, String) => ${fingerprint53.toString()});
  const durationMs = bound((JSON, Object, Array, Math, Number, String) => ${durationMs.toString()});
  const pinZoneAndLocale = ${pinZoneAndLocale.toString()};
  const setup = ${guestRuntime.toString()};
  return setup(strictJson, fingerprint53, durationMs, pinZoneAndLocale);
})()`;
