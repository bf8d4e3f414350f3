/**
 * @class replay
 * @attack Reads the worker's time zone and locale, which differ between workers: local-time
 * Date fields, a date string without a zone, Date's text, toLocaleString, Intl's defaults. The
 * corpus runs every case on a host in TZ=America/St_Johns with LANG=de_DE.UTF-8; a resume on
 * another worker must see the same values, so the sandbox pins UTC and en-US.
 * @expect {"status":"completed","output":[1577836800000,0,0,"Thu Jan 01 1970 00:00:00 GMT+0000 (Coordinated Universal Time)","1,234.5","UTC","en-US",1577872800000,"1/1/1970, 12:00:00 AM"]}
 */
export default async () => [
  new Date(2020, 0, 1).getTime(),
  new Date(0).getHours(),
  new Date(0).getTimezoneOffset(),
  String(new Date(0)),
  (1234.5).toLocaleString(),
  Intl.DateTimeFormat().resolvedOptions().timeZone,
  new Intl.NumberFormat().resolvedOptions().locale,
  new Date('2020-01-01T10:00').getTime(),
  new Date(0).toLocaleString(),
];
