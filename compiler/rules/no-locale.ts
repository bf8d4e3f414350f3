import ts from '../ts/typescript.cjs';
import { constantString, isOuter, rootOf, skipOuter } from '../ts/references.js';
import { defineRule } from './rule.js';

// TypeScript's exports are getters: the node tests this module calls on nearly every node
// are read from it once, here, not on each call.
const { forEachChild, SyntaxKind, TypeFlags, isBinaryExpression, isCallExpression, isElementAccessExpression, isIdentifier, isNewExpression, isPropertyAccessExpression, isSpreadElement, isTaggedTemplateExpression } = ts;

const why = 'the result depends on the locale, time zone and ICU data of the machine that runs it, and a run may resume on another machine: a replay could take other branches';

const localeMethods = new Set(['toLocaleString', 'toLocaleDateString', 'toLocaleTimeString', 'toLocaleUpperCase', 'toLocaleLowerCase', 'localeCompare']);
/** Date methods that read or write local time (the machine's time zone). */
const localDateMethods = new Set([
  'getFullYear', 'getYear', 'getMonth', 'getDate', 'getDay', 'getHours', 'getMinutes', 'getSeconds', 'getMilliseconds', 'getTimezoneOffset',
  'setFullYear', 'setYear', 'setMonth', 'setDate', 'setHours', 'setMinutes', 'setSeconds', 'setMilliseconds',
  'toString', 'toDateString', 'toTimeString',
]);

/**
 * The method a path names on a library type: `getHours` for `Date#getHours`, and for
 * `Date.prototype.getHours.call` (the prototype's method, called with another `this`).
 */
function libMethod(path: string): { owner: string; name: string } | undefined {
  const hash = /^([A-Za-z]+)#([A-Za-z]+)/.exec(path);
  if (hash !== null) return { owner: hash[1], name: hash[2] };
  const proto = /^([A-Za-z]+)\.prototype\.([A-Za-z]+)/.exec(path);
  return proto !== null ? { owner: proto[1], name: proto[2] } : undefined;
}

/** The UTC way to do what a local-time Date method does. */
function utcHint(method: string): string {
  if (method === 'getTimezoneOffset') return 'work in UTC (getUTCHours() and the other getUTC*() methods), where the offset is always 0';
  if (method.startsWith('to')) return 'use toISOString()';
  return `use ${method.replace(/^(get|set)/, '$1UTC').replace('UTCYear', 'UTCFullYear')}()`;
}

/**
 * A date string `new Date(s)` and `Date.parse(s)` read in UTC: an ISO date alone
 * ("2024-05-01") or a date-time with `Z` or an offset. Anything else ("2024-05-01T10:00",
 * "May 1, 2024") is read in the machine's time zone.
 */
const utcDateString = /^(?:[+-]\d{6}|\d{4})(?:-\d{2}(?:-\d{2})?)?$|^(?:[+-]\d{6}|\d{4})-\d{2}-\d{2}T[\d:.]+(?:Z|[+-]\d{2}:?\d{2})$/i;

/** Intl, toLocale*() and localeCompare, Date's local-time methods and local-time parsing. */
export default defineRule({
  id: 'no-locale',
  description: 'Intl, toLocale*(), localeCompare, Date\'s local-time methods and local-time date strings depend on the machine\'s locale and time zone; use UTC methods and explicit formats.',
  create: (ctx) => {
    const { checker } = ctx;
    /**
     * Whether turning a value of this type into a string may call Date#toString: a Date, a union
     * with one (`Date | number`), or an array of them (arrays join their elements' strings).
     */
    const holdsDate = (type: ts.Type, depth = 0, inIntersection = false): boolean => {
      if (depth > 4) return false;
      if (type.isUnion()) return type.types.some((t) => holdsDate(t, depth + 1, inIntersection));
      if (type.isIntersection()) return type.types.some((t) => holdsDate(t, depth + 1, true));
      // A type parameter holds what its constraint holds (`T extends Date`); not inside an
      // intersection, where narrowing put it (`T & string` after `typeof t === "string"`).
      if (type.flags & TypeFlags.TypeParameter) {
        const constraint = inIntersection ? undefined : checker.getBaseConstraintOfType(type);
        return constraint !== undefined && constraint !== type && holdsDate(constraint, depth + 1);
      }
      const sym = type.getSymbol();
      if (sym !== undefined && sym.getName() === 'Date' && (sym.declarations ?? []).some((d) => ctx.facts.program.isSourceFileDefaultLibrary(d.getSourceFile()))) return true;
      if (checker.isArrayType(type) || checker.isTupleType(type)) return checker.getTypeArguments(type as ts.TypeReference).some((t) => holdsDate(t, depth + 1));
      return false;
    };
    /** Types that say nothing of what a value is: a Date may be behind them. */
    const opaque = (type: ts.Type): boolean => (type.flags & (TypeFlags.Any | TypeFlags.Unknown | TypeFlags.NonPrimitive | TypeFlags.TypeParameter)) !== 0 || (type.flags & TypeFlags.Object) !== 0 && checker.getPropertiesOfType(type).length === 0 && type.getCallSignatures().length === 0;
    /**
     * Whether a value may be a Date: by its type, by the type of what a cast hides (`d as any`),
     * for a variable of an opaque type (`x: T`, `unknown`, `object`) by what it is given, and for
     * such a parameter by what the calls of its function in the file pass (`str(new Date())`
     * with `str<T>(x: T) { return `${x}`; }`).
     */
    const isDate = (expr: ts.Expression, depth = 0): boolean => {
      const type = checker.getTypeAtLocation(expr);
      if (holdsDate(type)) return true;
      if (depth > 4 || !opaque(type)) return false;
      const inner = skipOuter(expr);
      if (inner !== expr) return isDate(inner, depth + 1);
      if (!isIdentifier(inner)) return false;
      const sym = checker.getSymbolAtLocation(inner);
      // Code that tells Dates apart itself (`x instanceof Date ? x.toISOString() : String(x)`)
      // writes the others with toString(): TypeScript does not narrow `unknown` or `T` there.
      if (sym === undefined || testsForDate(sym)) return false;
      return ctx.facts.findInGiven(inner, givenDate, (e) => isDate(e, depth + 1) || undefined) === true;
    };
    const givenDate = new Map<ts.Symbol, true | undefined>();
    let instanceofDate: Set<ts.Symbol> | undefined;
    /** Whether the file tests a name with `instanceof Date`. */
    const testsForDate = (sym: ts.Symbol): boolean => {
      if (instanceofDate === undefined) {
        const found = new Set<ts.Symbol>();
        const visit = (n: ts.Node): void => {
          if (isBinaryExpression(n) && n.operatorToken.kind === SyntaxKind.InstanceOfKeyword && isIdentifier(skipOuter(n.left)) && ctx.facts.resolver.resolve(n.right) === 'Date') {
            const tested = checker.getSymbolAtLocation(skipOuter(n.left));
            if (tested !== undefined) found.add(tested);
          }
          forEachChild(n, visit);
        };
        visit(ctx.sourceFile);
        instanceofDate = found;
      }
      return instanceofDate.has(sym);
    };
    const reportLocaleMethod = (node: ts.Node, name: string) =>
      ctx.report(node, `${name}() uses the machine's locale: ${why}.`, name === 'localeCompare' ? 'compare with < and > (code-unit order), the same everywhere' : 'format explicitly (toISOString(), toFixed(), toUpperCase())');
    const reportLocalTime = (node: ts.Node, name: string) => ctx.report(node, `Date.${name}() works in the machine's time zone: ${why}.`, utcHint(name));
    const reportImplicitString = (node: ts.Node) =>
      ctx.report(node, `a Date turned into a string this way (its toString()) is written in the machine's time zone: ${why}.`, 'use toISOString()');
    const checkDateString = (arg: ts.Expression | undefined, at: ts.Node) => {
      if (arg === undefined) return;
      const type = checker.getTypeAtLocation(arg);
      if (!(type.flags & TypeFlags.StringLike)) return;
      const text = constantString(arg, checker);
      // A string only known at run time may be either form: that is a limit of the rule (docs).
      if (text === undefined || utcDateString.test(text.trim())) return;
      ctx.report(at, `the date string ${JSON.stringify(text)} has no time zone, so it is read in the machine's time zone: ${why}.`, 'write the date in ISO form with Z or an offset ("2024-05-01T10:00:00Z"), or use Date.UTC(...)');
    };
    return {
      reference(ref) {
        const { path, usage } = ref;
        if (usage === 'typeof') return;
        if (rootOf(path) === 'Intl') {
          // `fmt.format()` after `const fmt = Intl` was reported at the `const`, where Intl is named.
          if (ref.alias !== undefined && rootOf(ref.alias) === 'Intl') return;
          ctx.report(ref.node, `Intl formats and compares by locale: ${why}.`, 'format explicitly (toISOString(), toFixed(), padStart()) and compare with < or ===');
          return;
        }
        if (usage === 'alias' || usage === 'write') return;
        const method = libMethod(path);
        if (method !== undefined && localeMethods.has(method.name)) {
          reportLocaleMethod(ref.node, method.name);
          return;
        }
        if (method !== undefined && method.owner === 'Date' && localDateMethods.has(method.name)) {
          reportLocalTime(ref.node, method.name);
          return;
        }
        if (path === 'Date' && usage === 'new' && ref.call !== undefined && isNewExpression(ref.call)) {
          const args = ref.call.arguments ?? [];
          if (args.length >= 2 || args.some(isSpreadElement)) {
            ctx.report(ref.call, `new Date(year, month, …) reads the fields in the machine's time zone: ${why}.`, 'use new Date(Date.UTC(year, month, …))');
          } else checkDateString(args[0], ref.call);
          return;
        }
        if (path === 'Date.parse' && usage === 'call' && ref.call !== undefined && isCallExpression(ref.call)) checkDateString(ref.call.arguments[0], ref.call);
        // String(d), new String(d), String.call(_, d), String.apply(_, [d]): d's toString().
        if (ref.call !== undefined && ((path === 'String' && (usage === 'call' || usage === 'new')) || ((path === 'String.call' || path === 'String.apply') && usage === 'call'))) {
          const args = isTaggedTemplateExpression(ref.call) ? [] : (ref.call.arguments ?? []);
          const value = args[path === 'String' ? 0 : 1];
          if (value !== undefined && !isSpreadElement(value) && isDate(value)) reportImplicitString(ref.call);
        }
        // `dates.map(String)`: String (or a Date's own toString) called on each Date.
        if ((path === 'String' || path === 'Date#toString') && usage === 'escape') {
          let arg: ts.Node = ref.node;
          while (isOuter(arg.parent)) arg = arg.parent;
          const call = arg.parent;
          if (isCallExpression(call) && call.arguments.some((a) => a === arg)) {
            const callee = skipOuter(call.expression);
            if ((isPropertyAccessExpression(callee) || isElementAccessExpression(callee)) && isDate(callee.expression)) reportImplicitString(arg);
          }
        }
        // `[d].join(",")` and `[d].toString()` write each Date with its toString().
        if ((path === 'Array#join' || path === 'Array#toString' || path === 'ReadonlyArray#join' || path === 'ReadonlyArray#toString') && usage === 'call' && ref.call !== undefined && isCallExpression(ref.call)) {
          const callee = skipOuter(ref.call.expression);
          if ((isPropertyAccessExpression(callee) || isElementAccessExpression(callee)) && isDate(callee.expression)) reportImplicitString(ref.call);
        }
        // The same with another `this`: `Array.prototype.join.call([d], ",")`, `.apply([d], [","])`.
        if (/^(?:Array|ReadonlyArray)(?:\.prototype\.|#)(?:join|toString)\.(?:call|apply)$/.test(path) && usage === 'call' && ref.call !== undefined && isCallExpression(ref.call)) {
          const self = ref.call.arguments[0];
          if (self !== undefined && !isSpreadElement(self) && isDate(self)) reportImplicitString(ref.call);
        }
        // `"On ".concat(d)`: each argument's toString().
        if ((path === 'String#concat' || path === 'String.prototype.concat') && usage === 'call' && ref.call !== undefined && isCallExpression(ref.call)) {
          for (const a of ref.call.arguments) if (!isSpreadElement(a) && isDate(a)) reportImplicitString(a);
        }
        // `strings.map(Date.parse)`: the strings it will read are not in the source.
        if (path === 'Date.parse' && usage !== 'call') {
          ctx.report(ref.node, `Date.parse handed on as a function reads strings the checker cannot see, and a date string without a time zone is read in the machine's time zone: ${why}.`, 'call Date.parse yourself on strings in ISO form with Z or an offset');
        }
      },
      // `(d as any).getHours()`, `(n as any).toLocaleString()`: a cast to `any` hides the owner
      // of the method from the resolver, not from the value; the method is looked up on what the
      // cast hides.
      PropertyAccessExpression(node) {
        const name = node.name.text;
        const dateMethod = localDateMethods.has(name) && name !== 'toString';
        if (!dateMethod && !localeMethods.has(name)) return;
        const inner = skipOuter(node.expression);
        if (inner === node.expression || !(checker.getTypeAtLocation(node.expression).flags & (TypeFlags.Any | TypeFlags.Unknown))) return;
        const owner = checker.getApparentType(checker.getTypeAtLocation(inner)).getProperty(name);
        const lib = (owner?.declarations ?? []).find((d) => ctx.facts.program.isSourceFileDefaultLibrary(d.getSourceFile()));
        if (lib === undefined) return;
        const parent = lib.parent as ts.Node & { name?: ts.Node };
        const ownerName = parent.name !== undefined && isIdentifier(parent.name) ? parent.name.text : undefined;
        if (localeMethods.has(name)) reportLocaleMethod(node, name);
        else if (ownerName === 'Date') reportLocalTime(node, name);
      },
      // `d[Symbol.toPrimitive]("default")` or `("string")`: Date's toString(); `"number"` is its time value.
      ElementAccessExpression(node) {
        if (ctx.facts.resolver.resolve(node.argumentExpression) !== 'Symbol.toPrimitive' || !isDate(node.expression)) return;
        const call = node.parent;
        const hint = isCallExpression(call) && call.expression === node && call.arguments.length > 0 ? constantString(call.arguments[0], checker) : undefined;
        if (hint !== 'number') reportImplicitString(node);
      },
      TemplateExpression(node) {
        for (const span of node.templateSpans) if (isDate(span.expression)) reportImplicitString(span.expression);
      },
      BinaryExpression(node) {
        const op = node.operatorToken.kind;
        if (op !== SyntaxKind.PlusToken && op !== SyntaxKind.PlusEqualsToken) return;
        // `any` may be a string at run time: `d + (x as any)` is a string then.
        const str = (e: ts.Expression) => (checker.getTypeAtLocation(e).flags & (TypeFlags.StringLike | TypeFlags.Any)) !== 0;
        if ((isDate(node.left) && str(node.right)) || (isDate(node.right) && str(node.left))) reportImplicitString(node);
      },
    };
  },
});
