import noTypeSuppression from '../../../compiler/rules/no-type-suppression.js';
import { ruleCases } from '../rule-cases.js';

ruleCases(noTypeSuppression, {
  valid: [
    'const n: number = 1;',
    { name: 'a comment that only mentions a directive', code: '// never add @ts-ignore here: fix the type instead\nconst n: number = 1;' },
    { name: '@ts-check turns checking on', code: '// @ts-check\nimport { kv } from "alice";\nexport default async function (input: { k: string }) { return kv.get({ key: input.k }); }' },
    { name: '@ts-nocheck after the first statement is no pragma', code: 'import { kv } from "alice";\n// @ts-nocheck\nexport default async function (input: { k: string }) { return kv.get({ key: input.k }); }' },
    { name: 'a directive inside a string', code: 'const s = "// @ts-ignore";\nconst t = `/* @ts-expect-error */ ${s}`;' },
    { name: 'an as cast is visible and allowed', code: 'const n = (input.n as unknown as number) + 1;' },
  ],
  invalid: [
    { name: '@ts-ignore hides a lie about a Date', code: '// @ts-ignore\nconst label: string = new Date(0);\nconst s = `${label}`;', line: 2, column: 1, message: '@ts-ignore comment before this code hides the type errors' },
    { name: '@ts-expect-error', code: '// @ts-expect-error\nconst n: number = "x";', line: 2, column: 1, message: '@ts-expect-error' },
    { name: 'a block comment directive', code: '/* @ts-ignore */\nconst n: number = "x";', line: 2, column: 1 },
    { name: 'a JSDoc-style directive', code: '/**\n * @ts-ignore\n */\nconst n: number = "x";', line: 4, column: 1 },
    { name: 'three slashes', code: '/// @ts-ignore\nconst n: number = "x";', line: 2, column: 1 },
    {
      name: '@ts-nocheck turns off the whole file, which lets a function pass for a plain object',
      code: '// @ts-nocheck\nimport { log } from "alice";\nexport default async function (input: { k: string }) {\n  const g: { x: number } = () => 0;\n  return g["constructor"]("return 1")();\n}',
      line: 2,
      column: 1,
      message: 'turns off type checking for the whole file',
    },
    {
      name: '@TS-NOCHECK in any case, after another leading comment',
      code: '// A workflow.\n// @TS-NOCHECK\nimport { log } from "alice";\nexport default async function () { log(1); }',
      line: 3,
      column: 1,
    },
    {
      name: 'before a closing brace, applying to code after it on the next line',
      code: 'function f() {\n  // @ts-ignore\n} const n: number = "x";',
      line: 3,
      column: 3,
    },
    { name: 'one report per directive', code: '// @ts-ignore\nconst a: number = "x";\n// @ts-ignore\nconst b: number = "y";', line: 2, column: 1, count: 2 },
  ],
});
