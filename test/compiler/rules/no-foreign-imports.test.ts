import noForeignImports from '../../../compiler/rules/no-foreign-imports.js';
import { ruleCases } from '../rule-cases.js';

const body = 'export default async function (input: { n: number }) { }';

ruleCases(noForeignImports, {
  valid: [
    `import { kv } from "alice";\n${body}`,
    { name: 'type-only import from alice', code: `import { kv } from "alice";\nimport type { Json } from "alice";\nexport default async function (input: { n: number }) { const j: Json = 1; }` },
    { name: 'renamed import', code: `import { kv as store } from "alice";\nexport default async function (input: { n: number }) { await store.get({ key: "x" }); }` },
    { name: 'inline type modifier', code: `import { type Workflow } from "alice";\nexport const workflow = { name: "x" } satisfies Workflow;\n${body}` },
    { name: 'no imports at all', code: body },
  ],
  invalid: [
    { name: 'default import of a node module', code: `import fs from "fs";\n${body}`, line: 1, column: 16, message: 'import from "fs"' },
    { name: 'named import of a node: module', code: `import { readFile } from "node:fs/promises";\n${body}`, line: 1, column: 26 },
    { name: 'type-only import from another module', code: `import type { Stats } from "fs";\n${body}`, line: 1, column: 28 },
    { name: 'side-effect import', code: `import "./polyfill";\n${body}`, line: 1, column: 8 },
    { name: 'namespace import of alice', code: `import * as a from "alice";\nexport default async function (input: { n: number }) { await a.kv.get({ key: "x" }); }`, line: 1, column: 8, message: 'import * as' },
    { name: 'bare import of alice', code: `import "alice";\n${body}`, line: 1, column: 1 },
    { name: 'default import of alice', code: `import alice from "alice";\n${body}`, line: 1, column: 8, message: 'no default export' },
    { name: 'import = require', code: `import fs = require("fs");\n${body}`, line: 1, column: 1, message: 'require' },
    { name: 're-export from another module', code: `export { x } from "./other";\n${body}`, line: 1, column: 19 },
    { name: 're-export of alice', code: `export * from "alice";\n${body}`, line: 1, column: 15 },
    { name: 'import.meta', code: 'import { kv } from "alice";\nexport default async function (input: { n: number }) { const u = import.meta; }', line: 2, column: 66, message: 'import.meta' },
    { name: 'a triple-slash reference', code: `/// <reference lib="dom" />\nimport { kv } from "alice";\n${body}`, line: 1, column: 21, message: '/// <reference>' },
  ],
});
