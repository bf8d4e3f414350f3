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
  const regexExec = RegExp.prototype.exec;
  const toLowerOf = String.prototype.toLowerCase;
  const charCodeOf = String.prototype.charCodeAt;
  const sliceOf = String.prototype.slice;
  const StringCtor = String;
  const ObjectCtor = Object;
  const ownNames = Object.getOwnPropertyNames;
  const deleteProperty = Reflect.deleteProperty;

  // A workflow may have put setters on Array.prototype's indices or replaced its methods and
  // iterator before Date or Intl is first read: arrays here are literals or grown with
  // defineProperty, and loops count.
  const push = (list: unknown[], value: unknown): void => {
    defineProperty(list, list.length, { value, writable: true, enumerable: true, configurable: true });
  };
  const exec = (re: RegExp, text: string): RegExpExecArray | null => apply(regexExec, re, [text]);
  const timeOf = (d: unknown): number => apply(getTime, d, []) as number;
  const [getUTCFullYear, getUTCMonth, getUTCDate, getUTCHours, getUTCMinutes, getUTCSeconds, getUTCMilliseconds] = [proto.getUTCFullYear, proto.getUTCMonth, proto.getUTCDate, proto.getUTCHours, proto.getUTCMinutes, proto.getUTCSeconds, proto.getUTCMilliseconds];
  /** The instant the host gives for `u`'s UTC fields read as its local time. */
  const hostLocal = (u: number): number => {
    const d = new RealDate(u);
    const get = (f: (this: Date) => number): number => apply(f, d, []);
    return timeOf(construct(RealDate, [get(getUTCFullYear), get(getUTCMonth), get(getUTCDate), get(getUTCHours), get(getUTCMinutes), get(getUTCSeconds), get(getUTCMilliseconds)]));
  };

  // --- Reading date strings in UTC ------------------------------------------------------
  // V8 reads a string in the host's zone unless it names one: exactly an ISO date alone
  // ("2024-05-01") or an ISO date-time with Z or an offset; in its legacy forms, one of the
  // zone words of its parser after the first number, or a sign after a time ("10:0 +0200").
  // Parenthesized text, nested too, is a comment to it.
  const isoDateOnly = /^(?:[+-]\d{6}|\d{4})(?:-\d\d(?:-\d\d)?)?$/;
  const isoZoned = /^(?:[+-]\d{6}|\d{4})-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:\d\d)$/;
  const isoLocal = /^(?:[+-]\d{6}|\d{4})(?:-\d\d(?:-\d\d)?)?T\d\d:\d\d(?::\d\d(?:\.\d+)?)?$/;
  const zoneWords = ['ut', 'utc', 'z', 'gmt', 'cdt', 'cst', 'edt', 'est', 'mdt', 'mst', 'pdt', 'pst'];
  const isZoneWord = (w: string): boolean => {
    const lower = apply(toLowerOf, w, []) as string;
    for (let i = 0; i < zoneWords.length; i++) if (zoneWords[i] === lower) return true;
    return false;
  };
  const namesZone = (text: string): boolean => {
    if (exec(isoDateOnly, text) !== null || exec(isoZoned, text) !== null) return true;
    let depth = 0;
    let seenNumber = false;
    let seenTime = false;
    let wordStart = -1;
    const n = text.length;
    for (let i = 0; i <= n; i++) {
      const c = i < n ? (apply(charCodeOf, text, [i]) as number) : 32;
      const letter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
      if (wordStart !== -1 && !letter) {
        if (depth === 0 && seenNumber && isZoneWord(apply(sliceOf, text, [wordStart, i]) as string)) return true;
        wordStart = -1;
      }
      if (c === 40) depth++;
      else if (c === 41) depth = depth > 0 ? depth - 1 : 0;
      else if (depth > 0) continue;
      else if (letter) {
        if (wordStart === -1) wordStart = i;
      } else if (c >= 48 && c <= 57) {
        seenNumber = true;
      } else if (c === 58 && seenNumber) {
        seenTime = true;
      } else if ((c === 43 || c === 45) && seenTime && i + 1 < n) {
        const next = apply(charCodeOf, text, [i + 1]) as number;
        if (next >= 48 && next <= 57) return true;
      }
    }
    return false;
  };
  const parseUTC = (text: string): number => {
    // An ISO date-time without a zone is the same text with Z, read in UTC.
    if (exec(isoLocal, text) !== null) {
      const utc = realParse(`${text}Z`);
      if (utc === utc) return utc;
    }
    const t = realParse(text);
    if (namesZone(text)) return t;
    // Read again with UTC named at the end: that is the answer when the host read the same
    // fields in its own zone, which holds in a gap too (V8 moves a time that does not exist
    // the same way in both readings) and where the host's reading is out of range.
    const u = realParse(`${text} UTC`);
    if (u === u && (t !== t || hostLocal(u) === t)) return u;
    return t;
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
    for (let i = 0; i < length; i++) if (i in list) push(out, list[i]);
    push(out, fallbackLocale);
    return out;
  };
  /** Options with `timeZone: "UTC"` unless they name one (for formatting dates). */
  const withZone = (options: unknown): unknown => {
    if (options === undefined) return { timeZone: utcZone };
    if (options === null) return options; // V8 throws its own TypeError
    // V8 makes an object of a string, number, boolean or symbol given as options.
    const object = isObject(options) ? options : ObjectCtor(options);
    const zone = (object as { timeZone?: unknown }).timeZone;
    return create(object, { timeZone: { value: zone === undefined ? utcZone : zone, enumerable: true } });
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
    const out: unknown[] = [];
    for (let i = 0; i < index; i++) push(out, a[i]);
    push(out, withFallback(a[index]));
    push(out, zoned ? withZone(a[index + 1]) : a[index + 1]);
    for (let i = index + 2; i < a.length; i++) push(out, a[i]);
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
    defineProperty(DeterministicDate, 'now', { value: statics.now, writable: true, configurable: true });
    defineProperty(DeterministicDate, 'parse', { value: statics.parse, writable: true, configurable: true });
    defineProperty(DeterministicDate, 'UTC', { value: statics.UTC, writable: true, configurable: true });

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
    const dateLocale = ['toLocaleString', 'toLocaleDateString', 'toLocaleTimeString'];
    for (let i = 0; i < dateLocale.length; i++) pinMethod(proto, dateLocale[i], localesAt(0, true));
    return DeterministicDate as unknown as DateConstructor;
  };

  /** Intl's constructors with en-US and UTC defaults, and formatting "now" on the logical clock. */
  const pinIntl = (): void => {
    if (IntlObject !== undefined) {
      const constructors = ['Collator', 'DateTimeFormat', 'DisplayNames', 'DurationFormat', 'ListFormat', 'NumberFormat', 'PluralRules', 'RelativeTimeFormat', 'Segmenter'];
      for (let c = 0; c < constructors.length; c++) {
        const name = constructors[c];
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
    // What is not on this list (V8's own v8BreakIterator, anything a later V8 adds) would take
    // the host's default locale unpinned: it goes.
    if (IntlObject !== undefined) {
      const allowed = ['Collator', 'DateTimeFormat', 'DisplayNames', 'DurationFormat', 'ListFormat', 'Locale', 'NumberFormat', 'PluralRules', 'RelativeTimeFormat', 'Segmenter', 'getCanonicalLocales', 'supportedValuesOf'];
      const names = ownNames(IntlObject);
      for (let i = 0; i < names.length; i++) {
        let keep = false;
        for (let j = 0; j < allowed.length; j++) if (allowed[j] === names[i]) keep = true;
        if (!keep) deleteProperty(IntlObject, names[i]);
      }
    }
    // Intl formats "now" when given no date: make that the logical clock too.
    const DTF = IntlObject?.DateTimeFormat as { prototype: object } | undefined;
    if (DTF !== undefined) {
      const formats = ['format', 'formatToParts'];
      for (let m = 0; m < formats.length; m++) {
        const method = formats[m];
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
