/**
 * The sandbox's time zone and locale. An isolate shares the host process's: `new Date(2020, 0,
 * 1)`, `getHours()`, `toString()`, `toLocaleString()` and every `Intl` object follow the worker's
 * `TZ` and `LANG`, so a run resumed on a worker in another zone or locale could take another
 * branch. Behind the checker's `alice/no-locale` (and for hand-written bundles, which no checker
 * reads) the guest is pinned here, as DESIGN §7 asks of ambient sources:
 * - Date's local-time API works in UTC: the local getters and setters are the UTC ones,
 *   `getTimezoneOffset()` is 0, `new Date(y, m, …)` is `Date.UTC(y, m, …)`, a date string
 *   without a zone is read as UTC, and `toString()` is V8's text for the UTC zone in `en-US`
 *   ("Thu Jan 01 1970 00:00:00 GMT+0000 (Coordinated Universal Time)").
 * - Locale-sensitive APIs (`Intl.*`, `toLocale*String`, `localeCompare`, `toLocale*Case`)
 *   fall back to `en-US` where the host's default locale would be used, and date formatting
 *   defaults to the UTC zone.
 * Results equal what plain V8 gives with `TZ=UTC` and an `en-US` default locale (the sandbox
 * tests compare the two from other zones and locales). ICU's own data still comes with the
 * Node version, like the rest of the engine.
 *
 * Self-contained: the guest receives its source (`toString()`), and it runs before any
 * workflow code, so the intrinsics it captures are the original ones.
 */
export function pinZoneAndLocale(G: Record<string, unknown>, now: () => number): void {
  'use strict';
  const RealDate = Date;
  const proto = RealDate.prototype;
  const apply = Reflect.apply;
  const construct = Reflect.construct;
  const defineProperty = Object.defineProperty;
  const getOwn = Object.getOwnPropertyDescriptor;
  const create = Object.create;
  const TypeErrorCtor = TypeError;
  const toPrimitiveKey = Symbol.toPrimitive;
  const fallbackLocale = 'en-US';
  const utcZone = 'UTC';
  const realParse = RealDate.parse;
  const realUTC = RealDate.UTC;
  const getTime = proto.getTime;
  const setTime = proto.setTime;
  const toUTCString = proto.toUTCString;
  const utcGetters = [proto.getUTCFullYear, proto.getUTCMonth, proto.getUTCDate, proto.getUTCHours, proto.getUTCMinutes, proto.getUTCSeconds, proto.getUTCMilliseconds];
  const regexExec = RegExp.prototype.exec;
  const replaceOf = String.prototype.replace;
  const toLowerOf = String.prototype.toLowerCase;
  const StringCtor = String;

  const exec = (re: RegExp, text: string): RegExpExecArray | null => apply(regexExec, re, [text]);
  const timeOf = (d: unknown): number => apply(getTime, d, []) as number;
  const fieldsOf = (t: number, getters: readonly ((this: Date) => number)[]): number[] => {
    const d = new RealDate(t);
    const out: number[] = [];
    for (let i = 0; i < getters.length; i++) out[i] = apply(getters[i], d, []);
    return out;
  };

  // --- Reading date strings in UTC ------------------------------------------------------
  // V8 reads a string in the host's zone unless it names one: an ISO date alone
  // ("2024-05-01"), an ISO date-time with Z or an offset, or (legacy forms) one of the zone
  // words of V8's date parser, or a sign after the time ("10:00 +0200", "GMT+1").
  const isoDateOnly = /^(?:[+-]\d{6}|\d{4})(?:-\d\d(?:-\d\d)?)?$/;
  const isoZoned = /^(?:[+-]\d{6}|\d{4})-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:\d\d)$/;
  const comments = /\([^)]*\)?/g;
  const words = /[a-z]+/gi;
  const zoneWords = ['ut', 'utc', 'z', 'gmt', 'cdt', 'cst', 'edt', 'est', 'mdt', 'mst', 'pdt', 'pst'];
  const signAfterTime = /\d:\d\d[^+-]*[+-]\d/;
  const namesZone = (text: string): boolean => {
    const trimmed = apply(replaceOf, text, [/^\s+|\s+$/g, '']) as string;
    if (exec(isoDateOnly, trimmed) !== null || exec(isoZoned, trimmed) !== null) return true;
    const legacy = apply(replaceOf, trimmed, [comments, ' ']) as string;
    words.lastIndex = 0;
    for (let m = exec(words, legacy); m !== null; m = exec(words, legacy)) {
      const w = apply(toLowerOf, m[0], []) as string;
      for (let i = 0; i < zoneWords.length; i++) if (zoneWords[i] === w) return true;
    }
    return exec(signAfterTime, legacy) !== null;
  };
  const isoLocal = /^(?:[+-]\d{6}|\d{4})(?:-\d\d(?:-\d\d)?)?T\d\d:\d\d(?::\d\d(?:\.\d+)?)?$/;
  /** The instant the host gives for `u`'s UTC fields read as its local time. */
  const hostLocal = (u: number): number => timeOf(construct(RealDate, fieldsOf(u, utcGetters)));
  const parseUTC = (text: string): number => {
    // An ISO date-time without a zone is the same text with Z, read in UTC.
    if (exec(isoLocal, text) !== null) {
      const utc = realParse(`${text}Z`);
      if (utc === utc) return utc;
    }
    const t = realParse(text);
    if (t !== t || namesZone(text)) return t;
    // The host read the written fields in its own zone (offsets to the millisecond: zones
    // before 1900 have seconds in theirs). Find the instant u whose UTC fields they are:
    // hostLocal(u) === t. In a gap (spring forward) two fit: V8 read the fields with the
    // offset from before the change, the larger one, which gives the smaller instant.
    let best = NaN;
    const probes = [t, t - 6 * 3600000, t + 6 * 3600000];
    for (let i = 0; i < probes.length; i++) {
      const u = t - (hostLocal(probes[i]) - probes[i]);
      if (hostLocal(u) === t && !(u >= best)) best = u;
    }
    return best;
  };

  // --- Date's text in UTC ----------------------------------------------------------------
  const utcText = /^(\w{3}), (\d\d) (\w{3}) (-?\d+) (\d\d:\d\d:\d\d) GMT$/;
  const zoneSuffix = 'GMT+0000 (Coordinated Universal Time)';
  /** [date part, time part] as V8 writes them for the UTC zone, or null for an invalid date. */
  const textParts = (d: unknown): [string, string] | null => {
    const m = exec(utcText, apply(toUTCString, d, []) as string);
    if (m === null) return null;
    return [`${m[1]} ${m[3]} ${m[2]} ${m[4]}`, `${m[5]} ${zoneSuffix}`];
  };

  // --- ToPrimitive, as `new Date(value)` applies it once --------------------------------
  const isObject = (v: unknown): v is object => (typeof v === 'object' && v !== null) || typeof v === 'function';
  const toPrimitive = (v: unknown): unknown => {
    if (!isObject(v)) return v;
    const exotic = (v as Record<symbol, unknown>)[toPrimitiveKey];
    if (exotic !== undefined && exotic !== null) {
      if (typeof exotic !== 'function') throw new TypeErrorCtor('Symbol.toPrimitive is not a function');
      const r = apply(exotic, v, ['default']);
      if (isObject(r)) throw new TypeErrorCtor('Cannot convert object to primitive value');
      return r;
    }
    const order = ['valueOf', 'toString'];
    for (let i = 0; i < order.length; i++) {
      const f = (v as Record<string, unknown>)[order[i]];
      if (typeof f === 'function') {
        const r = apply(f, v, []);
        if (!isObject(r)) return r;
      }
    }
    throw new TypeErrorCtor('Cannot convert object to primitive value');
  };
  const isDate = (v: unknown): boolean => {
    if (!isObject(v)) return false;
    try {
      apply(getTime, v, []);
      return true;
    } catch {
      return false;
    }
  };

  // --- Locales ---------------------------------------------------------------------------
  const IntlObject = (globalThis as { Intl?: Record<string, unknown> }).Intl;
  const LocaleCtor = IntlObject?.Locale as (abstract new (...a: unknown[]) => object) | undefined;
  /**
   * The caller's locales with en-US last, read as V8 reads a locale list: wherever the host's
   * default locale would be used (none given, none supported, an empty list), en-US is.
   */
  const withFallback = (locales: unknown): unknown => {
    if (locales === undefined) return fallbackLocale;
    if (typeof locales === 'string') return [locales, fallbackLocale];
    if (locales === null) return locales; // V8 throws its own TypeError
    if (!isObject(locales)) return fallbackLocale; // a number or boolean is an empty list
    if (LocaleCtor !== undefined && locales instanceof LocaleCtor) return [locales, fallbackLocale];
    const list = locales as { length?: unknown; [i: number]: unknown };
    const length = +(list.length as number);
    const out: unknown[] = [];
    for (let i = 0; i < length; i++) if (i in list) out[out.length] = list[i];
    out[out.length] = fallbackLocale;
    return out;
  };
  /** Options with `timeZone: "UTC"` unless they name one (for formatting dates). */
  const withZone = (options: unknown): unknown => {
    if (options === undefined) return { timeZone: utcZone };
    if (!isObject(options)) return options;
    const zone = (options as { timeZone?: unknown }).timeZone;
    return create(options, { timeZone: { value: zone === undefined ? utcZone : zone, enumerable: true } });
  };
  const pinMethod = (owner: object | undefined, name: string, argumentsOf: (a: unknown[]) => unknown[]): void => {
    if (owner === undefined) return;
    const original = getOwn(owner, name)?.value as ((...a: unknown[]) => unknown) | undefined;
    if (typeof original !== 'function') return;
    const fn = { m(this: unknown, ...a: unknown[]) { return apply(original, this, argumentsOf(a)); } }.m;
    defineProperty(fn, 'name', { value: name, configurable: true });
    defineProperty(fn, 'length', { value: original.length, configurable: true });
    defineProperty(owner, name, { value: fn, writable: true, enumerable: false, configurable: true });
  };
  const localesAt = (index: number, zoned: boolean) => (a: unknown[]): unknown[] => {
    const out = a.slice(0, index);
    while (out.length < index) out[out.length] = undefined;
    out[index] = withFallback(a[index]);
    out[index + 1] = zoned ? withZone(a[index + 1]) : a[index + 1];
    for (let i = index + 2; i < a.length; i++) out[i] = a[i];
    return out;
  };
  pinMethod(String.prototype, 'localeCompare', localesAt(1, false));
  pinMethod(String.prototype, 'toLocaleUpperCase', localesAt(0, false));
  pinMethod(String.prototype, 'toLocaleLowerCase', localesAt(0, false));
  pinMethod(Number.prototype, 'toLocaleString', localesAt(0, false));
  if (typeof BigInt === 'function') pinMethod(BigInt.prototype, 'toLocaleString', localesAt(0, false));
  /** Date, and its prototype's local-time methods in UTC: made when a workflow first reads `Date`. */
  const makeDate = (): DateConstructor => {
    function DeterministicDate(this: unknown, ...args: unknown[]): unknown {
      if (new.target === undefined) {
        const parts = textParts(new RealDate(now()));
        return parts === null ? 'Invalid Date' : `${parts[0]} ${parts[1]}`;
      }
      if (args.length === 0) return construct(RealDate, [now()], new.target);
      if (args.length === 1) {
        const v = args[0];
        if (isDate(v)) return construct(RealDate, [timeOf(v)], new.target);
        const p = toPrimitive(v);
        return construct(RealDate, [typeof p === 'string' ? parseUTC(p) : p], new.target);
      }
      return construct(RealDate, [apply(realUTC, undefined, args)], new.target);
    }
    defineProperty(DeterministicDate, 'name', { value: 'Date', configurable: true });
    defineProperty(DeterministicDate, 'length', { value: 7, configurable: true });
    defineProperty(DeterministicDate, 'prototype', { value: proto, writable: false });
    defineProperty(proto, 'constructor', { value: DeterministicDate, writable: true, configurable: true });
    const statics = {
      now(): number {
        return now();
      },
      parse(text: unknown): number {
        return parseUTC(StringCtor(text));
      },
      UTC: realUTC,
    };
    for (const name of ['now', 'parse', 'UTC'] as const) defineProperty(DeterministicDate, name, { value: statics[name], writable: true, configurable: true });

    // Local getters and setters become their UTC twins (same `this` checks, same argument handling).
    const twins: Array<[string, string]> = [
      ['getFullYear', 'getUTCFullYear'], ['getMonth', 'getUTCMonth'], ['getDate', 'getUTCDate'], ['getDay', 'getUTCDay'],
      ['getHours', 'getUTCHours'], ['getMinutes', 'getUTCMinutes'], ['getSeconds', 'getUTCSeconds'], ['getMilliseconds', 'getUTCMilliseconds'],
      ['setFullYear', 'setUTCFullYear'], ['setMonth', 'setUTCMonth'], ['setDate', 'setUTCDate'], ['setHours', 'setUTCHours'],
      ['setMinutes', 'setUTCMinutes'], ['setSeconds', 'setUTCSeconds'], ['setMilliseconds', 'setUTCMilliseconds'],
    ];
    const protoRecord = proto as unknown as Record<string, unknown>;
    const replace = (name: string, fn: (...a: unknown[]) => unknown, length: number): void => {
      defineProperty(fn, 'name', { value: name, configurable: true });
      defineProperty(fn, 'length', { value: length, configurable: true });
      defineProperty(proto, name, { value: fn, writable: true, enumerable: false, configurable: true });
    };
    for (let i = 0; i < twins.length; i++) {
      const utc = protoRecord[twins[i][1]] as (...a: unknown[]) => unknown;
      const original = getOwn(proto, twins[i][0]);
      const length = original !== undefined ? (original.value as { length: number }).length : 0;
      replace(twins[i][0], { m(this: unknown, ...a: unknown[]) { return apply(utc, this, a); } }.m, length);
    }
    const getUTCFullYear = proto.getUTCFullYear;
    const setUTCFullYear = proto.setUTCFullYear;
    if (getOwn(proto, 'getYear') !== undefined) {
      replace('getYear', { m(this: unknown) { return (apply(getUTCFullYear, this, []) as number) - 1900; } }.m, 0);
    }
    if (getOwn(proto, 'setYear') !== undefined) {
      // Annex B: a year of 0-99 means 1900-1999; an invalid date starts from 0.
      replace('setYear', { m(this: unknown, year: unknown) {
        const t = timeOf(this);
        const y = +(year as number);
        if (y !== y) return apply(setTime, this, [NaN]);
        const whole = y < 0 ? -Math.floor(-y) : Math.floor(y);
        const d = new RealDate(t === t ? t : 0);
        apply(setUTCFullYear, d, [whole >= 0 && whole <= 99 ? 1900 + whole : whole]);
        return apply(setTime, this, [timeOf(d)]);
      } }.m, 1);
    }
    replace('getTimezoneOffset', { m(this: unknown) { const t = timeOf(this); return t === t ? 0 : NaN; } }.m, 0);
    replace('toString', { m(this: unknown) { const p = textParts(this); return p === null ? 'Invalid Date' : `${p[0]} ${p[1]}`; } }.m, 0);
    replace('toDateString', { m(this: unknown) { const p = textParts(this); return p === null ? 'Invalid Date' : p[0]; } }.m, 0);
    replace('toTimeString', { m(this: unknown) { const p = textParts(this); return p === null ? 'Invalid Date' : p[1]; } }.m, 0);
    for (const name of ['toLocaleString', 'toLocaleDateString', 'toLocaleTimeString']) pinMethod(proto, name, localesAt(0, true));
    return DeterministicDate as unknown as DateConstructor;
  };

  /** Intl's constructors with en-US and UTC defaults, and formatting "now" on the logical clock. */
  const pinIntl = (): void => {
    if (IntlObject !== undefined) {
      for (const name of ['Collator', 'DateTimeFormat', 'DisplayNames', 'DurationFormat', 'ListFormat', 'NumberFormat', 'PluralRules', 'RelativeTimeFormat', 'Segmenter']) {
        const Real = IntlObject[name] as ((this: unknown, ...a: unknown[]) => object) & { prototype: object; length: number } | undefined;
        if (typeof Real !== 'function') continue;
        const zoned = name === 'DateTimeFormat';
        const argumentsOf = (locales: unknown, options: unknown): unknown[] => [withFallback(locales), zoned ? withZone(options) : options];
        // Called without new, Collator, DateTimeFormat and NumberFormat construct anyway and the
        // others throw: the original does either.
        const Pinned = function (this: unknown, locales?: unknown, options?: unknown): object {
          return new.target === undefined ? apply(Real, this, argumentsOf(locales, options)) : construct(Real, argumentsOf(locales, options), new.target);
        };
        defineProperty(Pinned, 'name', { value: name, configurable: true });
        defineProperty(Pinned, 'length', { value: Real.length, configurable: true });
        defineProperty(Pinned, 'prototype', { value: Real.prototype, writable: false });
        defineProperty(Real.prototype, 'constructor', { value: Pinned, writable: true, configurable: true });
        const supported = getOwn(Real, 'supportedLocalesOf');
        if (supported !== undefined) defineProperty(Pinned, 'supportedLocalesOf', supported);
        defineProperty(IntlObject, name, { value: Pinned, writable: true, enumerable: false, configurable: true });
      }
    }
    // Intl formats "now" when given no date: make that the logical clock too.
    const DTF = IntlObject?.DateTimeFormat as { prototype: object } | undefined;
    if (DTF !== undefined) {
      for (const method of ['format', 'formatToParts']) {
        const desc = getOwn(DTF.prototype, method);
        const original = (desc?.get ?? desc?.value) as ((this: unknown, ...a: unknown[]) => unknown) | undefined;
        if (original === undefined) continue;
        if (desc?.get !== undefined) {
          defineProperty(DTF.prototype, method, {
            configurable: true,
            get(this: unknown) {
              const bound = apply(original, this, []) as (d?: unknown) => unknown;
              return (d?: unknown) => bound(d === undefined ? now() : d);
            },
          });
        } else {
          defineProperty(DTF.prototype, method, {
            configurable: true, writable: true,
            value(this: unknown, d?: unknown) {
              return apply(original, this, [d === undefined ? now() : d]);
            },
          });
        }
      }
    }
  };

  // Date and Intl are pinned when a workflow first reads them (most never do): redefining some
  // forty methods and constructors costs a fresh context ≈ 0.3 ms. Their originals are reachable
  // only through these globals (no other built-in makes a Date or an Intl object), so the pins
  // are in place before any workflow code can hold one. The first read makes each a constant.
  const lazyGlobal = (name: string, make: () => unknown): void => {
    defineProperty(G, name, {
      configurable: true,
      enumerable: false,
      get() {
        const value = make();
        defineProperty(G, name, { value, writable: false, enumerable: false, configurable: false });
        return value;
      },
    });
  };
  lazyGlobal('Date', makeDate);
  if (IntlObject !== undefined) lazyGlobal('Intl', () => (pinIntl(), IntlObject));
}
