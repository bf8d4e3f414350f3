/**
 * The railroad diagram page of the DSL's grammar, generated from the parser itself (chevrotain's
 * createSyntaxDiagramsCode), so the picture cannot drift from what the parser accepts. Run as a
 * script (`npm run docs:dsl`) it writes docs/dsl-diagrams.html; a test keeps that file current.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSyntaxDiagramsCode } from './chevrotain.js';
import { dslParser } from './parser.js';

/** The HTML of the diagram page (it loads chevrotain's diagram renderer from a CDN when opened). */
export function dslDiagramsHtml(): string {
  return createSyntaxDiagramsCode(dslParser().getSerializedGastProductions());
}

/** Where the page lives in the repository, from compiler/dsl/ or dist/compiler/dsl/. */
export function diagramsPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  if (dir.includes(`${join('dist', 'compiler')}`)) dir = join(dir, '..');
  return join(dir, '..', '..', 'docs', 'dsl-diagrams.html');
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const path = diagramsPath();
  writeFileSync(path, dslDiagramsHtml());
  process.stderr.write(`wrote ${path}\n`);
}
