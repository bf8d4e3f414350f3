/**
 * chevrotain, loaded from the single-file bundle its package ships. The package's entry point
 * imports some 600 lodash-es modules one by one (≈ 0.55 s of CPU on every `alice` start that
 * loads the DSL); the bundle is one file (≈ 0.03 s). Types still come from the package.
 */
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type * as Chevrotain from 'chevrotain';

// The package's exports allow only its entry point (lib/src/api.js); the bundle sits beside it.
const entry = createRequire(import.meta.url).resolve('chevrotain');
const chevrotain = (await import(pathToFileURL(join(dirname(entry), '..', 'chevrotain.mjs')).href)) as typeof Chevrotain;

export const { createToken, createSyntaxDiagramsCode, CstParser, EOF, Lexer } = chevrotain;
