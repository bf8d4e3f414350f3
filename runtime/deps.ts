import { createRequire } from 'node:module';
import type * as AcornModule from 'acorn';
import type * as AjvModule from 'ajv';
import type Sqlite from 'better-sqlite3';
import type Ivm from 'isolated-vm';
import type * as Re2jsModule from 're2js';

/**
 * The runtime's heavy CommonJS dependencies, loaded on first use with `require`. Commands that
 * never open an engine (`alice check`, `alice types`, `--help`) then never pay for them, and
 * none of them goes through Node's ESM-to-CommonJS bridge, which scans every file of a package
 * for its export names (≈ 130 ms of a start for these four together).
 */
const require = createRequire(import.meta.url);

let ivm: typeof Ivm | undefined;
let sqlite: typeof Sqlite | undefined;
let acorn: typeof AcornModule | undefined;
let ajv: typeof AjvModule | undefined;
let re2: typeof Re2jsModule | undefined;

/** isolated-vm: the sandbox. */
export function isolatedVm(): typeof Ivm {
  return (ivm ??= require('isolated-vm') as typeof Ivm);
}

/** better-sqlite3: the journal store and the actions' tables. */
export function betterSqlite3(): typeof Sqlite {
  return (sqlite ??= require('better-sqlite3') as typeof Sqlite);
}

/** acorn: reads a bundle's ES module at deploy time. */
export function acornParser(): typeof AcornModule {
  return (acorn ??= require('acorn') as typeof AcornModule);
}

/** Ajv: host-side validation of action arguments and run inputs. */
export function ajvModule(): typeof AjvModule {
  return (ajv ??= require('ajv') as typeof AjvModule);
}

/** re2js: linear-time regular expressions for the patterns of untrusted schemas. */
export function re2js(): typeof Re2jsModule {
  return (re2 ??= require('re2js') as typeof Re2jsModule);
}
