/**
 * @class replay
 * @attack Date and Intl are pinned to UTC and en-US when first read (a lazy global): tries to
 * reach the host's zone and locale around that, by calling the getter with another receiver,
 * by deleting or redefining the globals before their first read, and through the locale
 * methods of strings and numbers, which no global guards. Runs on a host in
 * TZ=America/St_Johns with LANG=de_DE.UTF-8 (the corpus's setting).
 * @expect {"status":"completed","output":{"viaGetter":[1577836800000,"UTC"],"afterDelete":["undefined","undefined","1,234.5","a < b"],"redefined":"mine"}}
 */
export default async () => {
  const dateGetter = Object.getOwnPropertyDescriptor(globalThis, 'Date').get;
  const intlGetter = Object.getOwnPropertyDescriptor(globalThis, 'Intl').get;
  const D = dateGetter.call({});
  const I = intlGetter.call(null);
  const viaGetter = [new D(2020, 0, 1).getTime(), new I.DateTimeFormat().resolvedOptions().timeZone];
  // The getters made constants of both: they can no longer be deleted or redefined.
  let redefined = 'mine';
  try { Object.defineProperty(globalThis, 'Date', { value: 'other' }); redefined = 'changed'; } catch {}
  const afterDelete = [
    Reflect.deleteProperty(globalThis, 'Date') ? typeof Date : 'undefined',
    Reflect.deleteProperty(globalThis, 'Intl') ? typeof Intl : 'undefined',
    (1234.5).toLocaleString(),
    'a'.localeCompare('b') < 0 ? 'a < b' : 'a >= b',
  ];
  return { viaGetter, afterDelete, redefined };
};
