import { describe, expect, it } from 'vitest';
import { parseDsl } from '../../compiler/dsl/index.js';
import { compile, positions } from './support.js';

describe('the DSL lexer and parser', () => {
  it('reads keywords as field names and argument names, durations and nested interpolation', () => {
    const r = parseDsl('let x = { kind: 1, event: "a {upper("b {1}")} c" }.kind\nsleep 1h30m\nmisc.anything(timeout: 5, input: input)\n');
    expect(r.lexErrors).toEqual([]);
    expect(r.parseErrors).toEqual([]);
  });

  it('reports several syntax errors in one pass, each with its line, column and what was expected', () => {
    const { bundle, diagnostics } = compile('let = 3\nlet y 4\nlog "abc\nlet ok = 1\nreturn 1 +\n');
    expect(bundle).toBeNull();
    expect(diagnostics.map((d) => [d.rule, d.line, d.column, d.message])).toEqual([
      ['dsl/syntax', 1, 5, 'expected a name after "let", found "="'],
      ['dsl/syntax', 2, 7, 'expected "=" after the name y, found the number 4'],
      ['dsl/syntax', 3, 9, 'expected the closing quote " after the text "abc", found the end of the line (a string must close with " on the line where it starts)'],
      ['dsl/syntax', 5, 11, expect.stringMatching(/^expected a value: .* after "\+", found the end of the file$/)],
    ]);
  });

  it('reports a character the language does not know, and keeps parsing after it', () => {
    const found = compile('let a = 1 @ 2\nlet b = 2 ! 3\nlet c = \n').diagnostics.map((d) => [d.line, d.column, d.message]);
    expect(found.slice(0, 2)).toEqual([
      [1, 11, 'unexpected character "@"'],
      [2, 11, 'unexpected character "!": write not for negation, != for inequality'],
    ]);
    expect(found.at(-1)).toEqual([3, 8, expect.stringMatching(/^expected a value: .* after "=", found the end of the file$/)]);
  });

  it('does not glue a call or an index on the next line to the statement before', () => {
    expect(compile('let a = [1]\n[2]\nreturn a\n').diagnostics).toEqual([]);
    expect(compile('let f = 1\n(2)\n').diagnostics).toEqual([]);
  });

  it('refuses calling something that is not a name, and unknown escapes', () => {
    expect(positions('let x = [1](2)\n')).toEqual(['dsl/syntax 1:12']);
    expect(positions('let x = "a\\qb"\n')).toEqual(['dsl/syntax 1:11']);
  });
});

/** Each invalid case pins rule and position, as typescript-eslint's rule tests do (STYLE.md). */
const invalid: Array<{ name: string; code: string; expect: string[] }> = [
  { name: 'an unknown action', code: 'mail.sned(to: "a")\n', expect: ['dsl/unknown-action 1:1'] },
  { name: 'a missing named argument', code: 'mail.send(subject: "x")\n', expect: ['dsl/argument 1:1'] },
  { name: 'an unknown named argument', code: 'mail.send(to: "a", cc: "b")\n', expect: ['dsl/argument 1:20'] },
  { name: 'a positional argument to an action', code: 'mail.send("a")\n', expect: ['dsl/argument 1:1', 'dsl/argument 1:11'] },
  { name: 'a repeated argument', code: 'mail.send(to: "a", to: "b")\n', expect: ['dsl/argument 1:20'] },
  { name: 'an argument of the wrong type', code: 'mail.send(to: 42)\n', expect: ['dsl/type 1:15'] },
  { name: 'an unknown field of an action result', code: 'let m = mail.send(to: "a")\nreturn m.idd\n', expect: ['dsl/unknown-field 2:10'] },
  { name: 'an unknown field of the input', code: 'input { a: string }\nreturn input.b\n', expect: ['dsl/unknown-field 2:14'] },
  { name: 'a record with a field the action does not take', code: 'store.put(key: "k", value: 1)\nmath.double(n: { x: 1 }.y)\n', expect: ['dsl/unknown-field 2:25'] },
  { name: 'a field of a value that may be null', code: 'let e = wait for event "x" timeout 1d\nreturn e.data\n', expect: ['dsl/type 2:10'] },
  { name: 'adding a number to a string', code: 'let x = 1 + "a"\n', expect: ['dsl/type 1:11'] },
  { name: 'a condition that is not a boolean', code: 'if 1 { log "x" }\n', expect: ['dsl/type 1:4'] },
  { name: 'a for over something that is not a list', code: 'for x in 3 { log x }\n', expect: ['dsl/type 1:10'] },
  { name: 'a sleep that is not a duration', code: 'sleep true\n', expect: ['dsl/type 1:7'] },
  { name: 'a repeat count that is not a number', code: 'repeat "3" times { log 1 }\n', expect: ['dsl/type 1:8'] },
  { name: 'an undeclared name', code: 'return totl\n', expect: ['dsl/unknown-name 1:8'] },
  { name: 'an unknown function', code: 'return lenn([1])\n', expect: ['dsl/unknown-name 1:8'] },
  { name: 'a standard function with a wrong argument count', code: 'return len()\n', expect: ['dsl/argument 1:8'] },
  { name: 'an update of a let', code: 'let a = 1\na = 2\n', expect: ['dsl/assign 2:1'] },
  { name: 'an update of an undeclared name', code: 'b = 2\n', expect: ['dsl/unknown-name 1:1'] },
  { name: 'an update with a value of another type', code: 'var a = 1\na = "x"\n', expect: ['dsl/type 2:5'] },
  { name: 'a name declared twice', code: 'let a = 1\nif true { let a = 2 }\n', expect: ['dsl/duplicate 2:15'] },
  { name: 'code after return', code: 'return 1\nlog "never"\nlog "again"\n', expect: ['dsl/unreachable 2:1'] },
  { name: 'code after an if whose branches both fail', code: 'if true { fail "A" } else { return 2 }\nlog "never"\n', expect: ['dsl/unreachable 2:1'] },
  { name: 'a catch after a catch-all', code: 'try { mail.send(to: "a") } catch { log 1 } catch "X" { log 2 }\n', expect: ['dsl/unreachable 1:44'] },
  { name: 'a function that calls itself', code: 'fn f(n: number) {\n  return f(n)\n}\nreturn f(1)\n', expect: ['dsl/recursion 2:10'] },
  { name: 'functions that call each other', code: 'fn a(n: number) { return b(n) }\nfn b(n: number) { return a(n) }\nreturn a(1)\n', expect: ['dsl/recursion 2:26'] },
  { name: 'a return inside a parallel block', code: 'parallel {\n  return 1\n}\n', expect: ['dsl/parallel 2:3'] },
  { name: 'an update of an outer var in a parallel for', code: 'var n = 0\nparallel for x in [1] {\n  n = n + x\n}\n', expect: ['dsl/parallel 3:3'] },
  { name: 'a bad workflow name and kind', code: 'workflow "no spaces allowed"\nkind robot\n', expect: ['dsl/metadata 1:10', 'dsl/metadata 2:6'] },
  { name: 'a trigger match that is not a literal', code: 'trigger event "a" where { x: y }\n', expect: ['dsl/metadata 1:30'] },
  { name: 'an unknown type', code: 'input { a: strin }\n', expect: ['dsl/type 1:12'] },
  { name: 'a method call on a value', code: 'let s = "a"\nreturn s.upper()\n', expect: ['dsl/type 2:8'] },
];

const valid: string[] = [
  'input { email?: string }\nif input.email != null {\n  mail.send(to: input.email)\n}\n',
  'input { email?: string }\nif input.email == null {\n  return null\n}\nmail.send(to: input.email)\n',
  'let e = wait for event "x" timeout 1d\nif e != null and e.data.ok == true { return e.id }\n',
  'let e = wait for event "x"\nreturn e.data\n',
  'var best = null\nfor x in [1, 2] { best = x }\nreturn best\n',
  'let to = "a@b"\nmail.send(to)\n',
  'fn twice(n: number) { return math.double(n: n).n * 2 }\nfn four(n: number) { return twice(twice(n)) }\nreturn four(1)\n',
  'var n = 0\nrepeat 3 times { n = n + 1 }\nreturn n\n',
  'parallel {\n  let a = math.double(n: 1)\n  var b = 2\n}\nb = a.n\n',
  'try { store.fail(code: "A") } catch "A" { return 1 }\nreturn 2\n',
  'misc.anything(whatever: [1, "two", { three: 3 }])\n',
  'return [1, 2][0] + { a: 1 }["a"] ?? 0\n',
  'input { owners?: [string] }\nfor owner in input.owners ?? [] {\n  mail.send(to: owner)\n}\n',
];

describe('the DSL checker', () => {
  for (const c of invalid) {
    it(`reports ${c.name} at its exact position`, () => {
      expect(positions(c.code)).toEqual(c.expect);
    });
  }

  it('accepts every valid program of the table', () => {
    for (const code of valid) expect(compile(code).diagnostics, code).toEqual([]);
  });

  it('explains what it found and how to fix it', () => {
    const [d] = compile('mail.send(to: "a", subjct: "b")\n').diagnostics;
    expect(d).toMatchObject({ rule: 'dsl/argument', message: 'mail.send has no argument subjct; its arguments are to, subject, urgent', hint: 'did you mean subject?', endLine: 1, endColumn: 26, severity: 'error', file: 'flows/test.alice' });
    const [n] = compile('input { email?: string }\nmail.send(to: input.email)\n').diagnostics;
    expect(n).toMatchObject({ rule: 'dsl/type', line: 2, column: 15, message: 'argument to of mail.send: the value may be null, but string is expected', hint: expect.stringContaining('??') });
  });
});
