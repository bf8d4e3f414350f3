import { rootOf } from '../ts/references.js';
import { defineRule } from './rule.js';

const why = 'the result depends on the locale, time zone and ICU data of the machine that runs it, and a run may resume on another machine: a replay could take other branches';

const localeMethods = new Set(['toLocaleString', 'toLocaleDateString', 'toLocaleTimeString', 'toLocaleUpperCase', 'toLocaleLowerCase', 'localeCompare']);
/** Date methods that read or write local time (the machine's time zone). */
const localDateMethods = new Set([
  'getFullYear', 'getYear', 'getMonth', 'getDate', 'getDay', 'getHours', 'getMinutes', 'getSeconds', 'getMilliseconds', 'getTimezoneOffset',
  'setFullYear', 'setYear', 'setMonth', 'setDate', 'setHours', 'setMinutes', 'setSeconds', 'setMilliseconds',
  'toString', 'toDateString', 'toTimeString',
]);

/** The member name of `Date#getHours` or `Date.prototype.getHours`. */
function dateMember(path: string): string | undefined {
  if (path.startsWith('Date#')) return path.slice(5);
  if (path.startsWith('Date.prototype.')) return path.slice(15).split('.')[0];
  return undefined;
}

/** Intl, toLocale*() and localeCompare, and Date's local-time methods. */
export default defineRule({
  id: 'no-locale',
  description: 'Intl, toLocale*(), localeCompare and Date\'s local-time methods depend on the machine\'s locale and time zone; use UTC methods and explicit formats.',
  create: (ctx) => ({
    reference(ref) {
      const { path, usage } = ref;
      if (usage === 'typeof' || usage === 'alias') return;
      if (rootOf(path) === 'Intl') {
        ctx.report(ref.node, `Intl formats and compares by locale: ${why}.`, 'format explicitly (toISOString(), toFixed(), padStart()) and compare with < or ===');
        return;
      }
      const member = /[.#]([A-Za-z]+)$/.exec(path)?.[1];
      if (member !== undefined && localeMethods.has(member) && path.includes('#')) {
        ctx.report(ref.node, `${member}() uses the machine's locale: ${why}.`, member === 'localeCompare' ? 'compare with < and > (code-unit order), the same everywhere' : 'format explicitly (toISOString(), toFixed(), toUpperCase())');
        return;
      }
      const dm = dateMember(path);
      if (dm !== undefined && localDateMethods.has(dm)) {
        const utc = dm.startsWith('to') ? 'toISOString()' : dm.replace(/^(get|set)/, '$1UTC').replace('UTCYear', 'UTCFullYear').replace('UTCTimezoneOffset', '…: UTC has offset 0');
        ctx.report(ref.node, `Date.${dm}() works in the machine's time zone: ${why}.`, `use ${utc.endsWith(')') || utc.includes('…') ? utc : `${utc}()`}`);
        return;
      }
      if (path === 'Date' && usage === 'new' && ref.call !== undefined && 'arguments' in ref.call && (ref.call.arguments?.length ?? 0) >= 2) {
        ctx.report(ref.call, `new Date(year, month, …) reads the fields in the machine's time zone: ${why}.`, 'use new Date(Date.UTC(year, month, …))');
      }
    },
  }),
});
