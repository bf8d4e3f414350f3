import workflowShape from '../../../compiler/rules/workflow-shape.js';
import { ruleCases } from '../rule-cases.js';

const body = 'export default async function (input: { n: number }) { }';
const hint = 'export const workflow = {';

ruleCases(workflowShape, {
  valid: [
    `import { kv } from "alice";\n${body}`,
    { name: 'an async arrow', code: 'import { kv } from "alice";\nexport default async (input: { n: number }) => { };' },
    { name: 'a const exported by name', code: 'import { kv } from "alice";\nconst run = async (input: { n: number }) => { };\nexport default run;' },
    { name: 'no parameter', code: 'import { kv } from "alice";\nexport default async function () { }' },
    {
      name: 'full metadata',
      code: `import { kv, type Workflow } from "alice";\nexport const workflow = { name: "order-flow", description: "d", kind: "user", triggers: [{ type: "event", event: "order.created" }, { type: "schedule", cron: "0 * * * *" }, { type: "manual" }] } satisfies Workflow;\n${body}`,
    },
    { name: 'exported types', code: 'import { kv } from "alice";\nexport interface Input { n: number }\nexport type T = number;\nexport default async function (input: Input) { }' },
    { name: 'await inside functions only', code: `import { kv } from "alice";\nasync function h() { await kv.get({ key: "a" }); }\n${body}` },
    { name: 'a wrapped snippet', code: 'const v = await kv.get({ key: "a" });' },
    { name: 'steps inside functions declared at module level', code: `import { kv } from "alice";\nconst load = () => kv.get({ key: "a" });\n${body}` },
  ],
  invalid: [
    {
      name: 'a namespace hides aliases from the checker',
      code: 'namespace N {\n  export const r = Math.random;\n}\nexport default async function () {\n  return N.r();\n}\n',
      line: 1,
      column: 1,
      message: 'no namespaces',
    },
    {
      name: 'declare global claims globals the sandbox lacks',
      code: 'declare global {\n  var clock: { now(): number };\n}\nexport default async function () {\n  return 1;\n}\n',
      line: 1,
      column: 1,
      message: 'ambient modules',
    },
    { name: 'no default export', code: 'import { kv } from "alice";\nexport async function main(input: { n: number }) { }', line: 1, column: 1, count: 2, message: 'export default async function' },
    { name: 'not async', code: 'import { kv } from "alice";\nexport default function (input: { n: number }) { return 1; }', line: 2, column: 1, message: 'must be async' },
    { name: 'two parameters', code: 'import { kv } from "alice";\nexport default async function (input: { n: number }, actions: unknown) { }', line: 2, column: 54, message: 'one parameter' },
    { name: 'a generator', code: 'import { kv } from "alice";\nexport default async function* (input: { n: number }) { }', line: 2, column: 1, message: 'generator' },
    { name: 'not a function', code: 'import { kv } from "alice";\nexport default 42;', line: 2, column: 16 },
    { name: 'an extra export', code: `import { kv } from "alice";\nexport const helper = 1;\n${body}`, line: 2, column: 1, message: 'exports only' },
    { name: 'extra exports of each kind', code: `import { kv } from "alice";\nexport class Foo {}\nexport function bar() {}\nexport enum E { A }\n${body}`, line: 2, column: 1, count: 3 },
    { name: 'an export list', code: `import { kv } from "alice";\nconst x = 1;\nexport { x };\n${body}`, line: 3, column: 1 },
    { name: 'metadata next to another export', code: `import { kv } from "alice";\nexport const workflow = { name: "x" }, other = 1;\n${body}`, line: 2, column: 1 },
    { name: 'metadata in a let', code: `import { kv } from "alice";\nexport let workflow = { name: "x" };\n${body}`, line: 2, column: 12, message: 'must be a const' },
    { name: 'a non-literal name', code: `import { kv } from "alice";\nconst n = "x";\nexport const workflow = { name: n };\n${body}`, line: 3, column: 33, message: 'must be a literal', hint },
    { name: 'a shorthand property', code: `import { kv } from "alice";\nconst name = "x";\nexport const workflow = { name };\n${body}`, line: 3, column: 27, message: 'plain literal' },
    { name: 'a template with a substitution', code: `import { kv } from "alice";\nexport const workflow = { name: \`x\${1}\` };\n${body}`, line: 2, column: 33 },
    { name: 'a spread', code: `import { kv } from "alice";\nexport const workflow = { name: "x", ...{ kind: "user" } };\n${body}`, line: 2, column: 38 },
    { name: 'an unknown key', code: `import { kv } from "alice";\nexport const workflow = { name: "x", color: "red" };\n${body}`, line: 2, column: 38, message: 'unknown workflow metadata "color"' },
    { name: 'a bad trigger type', code: `import { kv } from "alice";\nexport const workflow = { name: "x", triggers: [{ type: "cron", cron: "* * * * *" }] };\n${body}`, line: 2, column: 38, message: 'unknown trigger type "cron"' },
    { name: 'a bad cron', code: `import { kv } from "alice";\nexport const workflow = { name: "x", triggers: [{ type: "schedule", cron: "daily" }] };\n${body}`, line: 2, column: 38, message: 'cron' },
    { name: 'an event trigger without event', code: `import { kv } from "alice";\nexport const workflow = { name: "x", triggers: [{ type: "event" }] };\n${body}`, line: 2, column: 38, message: 'needs event' },
    { name: 'a bad name', code: `import { kv } from "alice";\nexport const workflow = { name: "has space" };\n${body}`, line: 2, column: 27, message: 'workflow name' },
    { name: 'a bad kind', code: `import { kv } from "alice";\nexport const workflow = { name: "x", kind: "admin" };\n${body}`, line: 2, column: 38, message: 'kind' },
    { name: 'top-level await', code: `import { kv } from "alice";\nawait kv.get({ key: "x" });\n${body}`, line: 2, column: 1, message: 'await at module level' },
    { name: 'top-level await in a declaration', code: `import { kv } from "alice";\nconst x = await kv.get({ key: "x" });\n${body}`, line: 2, column: 1 },
    { name: 'top-level for await', code: `import { kv } from "alice";\n${body}\nfor await (const x of [1]) { }`, line: 3, column: 1 },
    { name: 'a step started while the module loads', code: `import { kv } from "alice";\nconst p = kv.get({ key: "x" });\n${body}`, line: 2, column: 11, message: 'while the module loads' },
    { name: 'an async IIFE at module level', code: `import { kv } from "alice";\nvoid (async () => { await kv.get({ key: "x" }); })();\n${body}`, line: 2, column: 6 },
    { name: 'a step in a static field', code: `import { kv } from "alice";\nclass A { static p = kv.get({ key: "x" }); }\n${body}`, line: 2, column: 22 },
    { name: 'a rest parameter', code: 'import { kv } from "alice";\nexport default async function (...args: unknown[]) { }', line: 2, column: 32, message: 'rest parameter' },
  ],
});
