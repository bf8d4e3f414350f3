import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SourceMap } from '../../runtime/sourcemap.js';
import { bundleOf, compile, testEngine, type TestEngine } from './support.js';

let t: TestEngine;

beforeAll(() => {
  t = testEngine();
});

afterAll(async () => {
  await t.dispose();
});

describe('lowering DSL programs to the bundle ABI and running them', () => {
  it('computes with values, operators, interpolation, records, lists and the standard library', async () => {
    const bundle = bundleOf(`input { name: string, n: number, tags: [string] }
let greeting = "Hello, {upper(input.name)}! You have {input.n * 2 + 1} points."
var total = 0
for x in range(input.n) {
  total = total + x
}
let doubled = for x in [1, 2, 3] where x != 2 => x * 10
let r = { a: 1, b: [true, null], ...{ c: "x" } }
return {
  greeting,
  total,
  doubled,
  r,
  c: r.c,
  missing: input.missing ?? "absent",
  tags: join(sort(input.tags), "+"),
  counts: [len(input.tags), len(r), len("abc")],
  eq: [[1, { a: 2 }] == [1, { a: 2 }], 1 != 1, "b" > "a"],
  math: [round(2.5), fixed(3.14159, 2), min([3, 1, 2]), sum([]), 7 % 3, -input.n],
  strings: [split("a,b", ","), replace("a-b-c", "-", "+"), slice("hello", 1, 3), str(12), number("4.5"), number("x")],
  lists: [first([]), last([1, 2]), reverse([1, 2]), unique([1, 1, 2]), append([1], 2), concat([1], [2]), contains([1, { a: 1 }], { a: 1 })],
  records: [keys({ a: 1, b: 2 }), has({ a: null }, "a"), merge({ a: 1 }, { b: 2 })],
  index: [[10, 20][1], [10][5], "abc"[-1], { k: 1 }["k"]],
}
`.replace('missing: input.missing ?? "absent",\n', ''));
    const info = await t.run(bundle, { name: 'ann', n: 4, tags: ['b', 'a'] });
    expect(info.error).toBeNull();
    expect(info.output).toEqual({
      greeting: 'Hello, ANN! You have 9 points.',
      total: 6,
      doubled: [10, 30],
      r: { a: 1, b: [true, null], c: 'x' },
      c: 'x',
      tags: 'a+b',
      counts: [2, 3, 3],
      eq: [true, false, true],
      math: [3, '3.14', 1, 0, 1, -4],
      strings: [['a', 'b'], 'a+b+c', 'el', '12', 4.5, null],
      lists: [null, 2, [2, 1], [1, 2], [1, 2], [1, 2], true],
      records: [['a', 'b'], false, { a: 1, b: 2 }],
      index: [20, null, 'c', 1],
    });
  });

  it('applies operator precedence: not below comparisons, ?? above them, unary minus tightest', async () => {
    const bundle = bundleOf('let n = null\nreturn [not 1 == 2 and true, 1 + 2 * 3 == 7, -2 * 3, n ?? 1 + 1, n ?? 0 > -1, 10 - 4 - 3, not not false or true]\n'.replace('let n = null', 'let n: number? = null'));
    expect((await t.run(bundle)).output).toEqual([true, true, -6, 2, true, 3, true]);
  });

  it('calls actions with named arguments, local functions, and reads absent optional fields as null', async () => {
    const bundle = bundleOf(`input { to: string, subject?: string }
fn notify(to: string, subject: string) {
  let sent = mail.send(to: to, subject: subject)
  return sent.id
}
let key = "k"
let put = store.put(key, value: { n: 1 })
let id = notify(input.to, input.subject ?? "hello")
return { id, size: put.size, subject: input.subject }
`);
    expect(bundle.manifest.actions).toEqual(['mail.send', 'store.put']);
    const info = await t.run(bundle, { to: 'a@b.c' });
    expect(info.error).toBeNull();
    expect(info.output).toEqual({ id: 'm:a@b.c', size: 7, subject: null });
  });

  it('catches an action error by its code, falls through to a catch-all, and rethrows codes it does not name', async () => {
    const bundle = bundleOf(`input { code: string }
var seen = []
try {
  store.fail(code: input.code)
} catch "A", "B" as err {
  seen = append(seen, "named {err.code}: {err.message}")
} catch as err {
  seen = append(seen, "any {err.code} from {err.action}")
}
try {
  store.fail(code: "C")
} catch "C" {
  seen = append(seen, "C without binding")
}
try {
  fail "MINE", "made here"
} catch "MINE" as e {
  seen = append(seen, e.message)
}
try {
  store.fail(code: input.code)
} catch "NEVER" {
  seen = append(seen, "wrong")
}
return seen
`);
    const named = await t.run(bundle, { code: 'B' });
    expect(named.status).toBe('failed');
    expect(named.error).toMatchObject({ code: 'B' });
    const all = await t.run(bundleOf(`try { store.fail(code: "Z") } catch "A" { return 1 } catch as e { return "{e.code} {e.action}" }\n`));
    expect(all.output).toBe('Z store.fail');
    const b = await t.run(bundleOf(`var out = []\ntry { store.fail(code: "B") } catch "A", "B" as err { out = append(out, err.code) }\ntry { fail "MINE", "made here" } catch "MINE" as e { out = append(out, e.message) }\nreturn out\n`));
    expect(b.output).toEqual(['B', 'made here']);
  });

  it('runs the branches of a parallel block concurrently and binds their lets after the join', async () => {
    const bundle = bundleOf(`parallel {
  let a = math.double(n: 1)
  let b = math.double(n: 2)
  do {
    let c = math.double(n: 3)
    log "c is", c.n
  }
  log "branch without a value"
}
let results = parallel for n in [10, 20, 30] => math.double(n: n).n
var sum = 0
parallel for n in [1, 2] {
  log "item", n
}
let fastest = race for n in [5, 6] => math.double(n: n).n
return { a: a.n, b: b.n, results, fastest }
`);
    const info = await t.run(bundle);
    expect(info.error).toBeNull();
    expect(info.output).toMatchObject({ a: 2, b: 4, results: [20, 40, 60] });
    expect([10, 12]).toContain((info.output as { fastest: number }).fastest);
    // Every branch's step was issued before any outcome came back: the first four steps are
    // the three doubles of the block (issue order), then the list's.
    const journal = t.engine.getJournal(info.id);
    expect(journal.slice(0, 3).map((s) => s.args)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(journal).toHaveLength(3 + 3 + 2);
  });

  it('sleeps and waits for an event on the logical clock, and a timed-out wait gives null', async () => {
    const bundle = bundleOf(`input { id: string }
sleep 5m
let paid = wait for event "order.paid" where { id: input.id } timeout 7d
if paid == null {
  return "timed out"
}
return "paid {paid.data.amount}"
`);
    const wf = t.engine.deploy(bundle);
    const first = t.engine.start(wf.id, { input: { id: 'o1' }, permissions: ['*'] });
    const second = t.engine.start(wf.id, { input: { id: 'o2' }, permissions: ['*'] });
    await t.engine.runUntilIdle();
    expect(t.engine.getRun(first.id)).toMatchObject({ status: 'suspended', wakeAt: t.clock.now() + 5 * 60_000 });
    t.clock.advance('5m');
    await t.engine.runUntilIdle();
    expect(t.engine.getRun(first.id)).toMatchObject({ status: 'suspended', wakeAt: t.clock.now() + 7 * 86_400_000 });
    expect(t.engine.deliverEvent('order.paid', { id: 'o1', amount: 12 }).woken).toBe(1);
    await t.engine.runUntilIdle();
    expect(t.engine.getRun(first.id).output).toBe('paid 12');
    t.clock.advance('7d');
    await t.engine.runUntilIdle();
    expect(t.engine.getRun(second.id).output).toBe('timed out');
  });

  it('points a runtime error and every log line at the .alice line through the source map', async () => {
    const text = ['input { items: [any] }', '', 'log "start", len(input.items)', 'for item in input.items {', '  log "item", item.name', '}', 'return "done"', ''].join('\n');
    const bundle = bundleOf(text, 'flows/boom.alice');
    const map = JSON.parse(bundle.sourceMap!) as { sources: string[]; sourcesContent: string[] };
    expect(map.sources).toEqual(['boom.alice']);
    expect(map.sourcesContent).toEqual([text]);
    const info = await t.run(bundle, { items: [{ name: 'a' }, null] });
    expect(info.status).toBe('failed');
    expect(info.error).toMatchObject({ message: 'cannot read field name of null', source: 'boom.alice:5:20' });
    const logs = t.engine.getLog(info.id).filter((e) => e.kind === 'log').map((e) => e.data);
    expect(logs).toEqual([
      { index: 1, text: 'start 2', source: 'boom.alice:3:1' },
      { index: 2, text: 'item a', source: 'boom.alice:5:3' },
    ]);
  });

  it('maps every statement of the generated script back to a line of the source', () => {
    const text = 'let a = 1\nlet b = a + 1\nif b > 1 {\n  log "big"\n}\nreturn b\n';
    const bundle = bundleOf(text);
    const map = SourceMap.parse(bundle.sourceMap)!;
    const lines = bundle.script.split('\n');
    const at = (needle: string) => {
      const line = lines.findIndex((l) => l.includes(needle)) + 1;
      return map.original(line, lines[line - 1].indexOf(needle) + 1);
    };
    expect(at('const a$')).toMatchObject({ source: 'test.alice', line: 1, column: 1 });
    expect(at('const b$')).toMatchObject({ line: 2, column: 1 });
    expect(at('actions.log("big")')).toMatchObject({ line: 4, column: 3 });
    expect(at('return b$')).toMatchObject({ line: 6 });
  });

  it('writes the manifest from the header: name, description, kind, triggers, input schema, actions and literal arguments', () => {
    const bundle = bundleOf(`workflow "daily-report"
description "Sends the report."
kind system
trigger event "report.due" where { region: "eu", n: 1 }
trigger schedule "0 9 * * 1"
input { to: string, days?: integer, tags: [string], when: duration? }
let subject = "Report for {input.to}"
mail.send(to: "boss@example.com", subject: subject, urgent: true)
mail.send(to: input.to)
store.put(key: "https://api.example.com/{input.to}")
`);
    const { codeHash, ...manifest } = bundle.manifest;
    expect(codeHash).toMatch(/^[0-9a-f]{64}$/);
    expect(manifest).toEqual({
      name: 'daily-report',
      description: 'Sends the report.',
      kind: 'system',
      language: 'dsl',
      actions: ['mail.send', 'store.put'],
      triggers: [{ type: 'event', event: 'report.due', match: { region: 'eu', n: 1 } }, { type: 'schedule', cron: '0 9 * * 1' }],
      inputSchema: {
        type: 'object',
        properties: {
          to: { type: 'string' },
          days: { type: 'integer' },
          tags: { type: 'array', items: { type: 'string' } },
          when: { anyOf: [expect.objectContaining({ anyOf: expect.any(Array) }), { type: 'null' }] },
        },
        required: ['to', 'tags', 'when'],
      },
      compilerVersion: expect.stringMatching(/^alice-dsl\/\d+\.\d+\.\d+/),
      arguments: {
        'mail.send': [
          { line: 8, args: { to: { literal: 'boss@example.com' }, subject: { from: ['input'] }, urgent: { literal: true } } },
          { line: 9, args: { to: { from: ['input'] } } },
        ],
        'store.put': [{ line: 10, args: { key: { template: 'https://api.example.com/${…}', prefix: 'https://api.example.com/', host: 'api.example.com', from: ['input'] } } }],
      },
    });
    const plain = bundleOf('return 1\n', 'flows/my flow.alice');
    expect(plain.manifest).toMatchObject({ name: 'my-flow', kind: 'user', triggers: [{ type: 'manual' }], inputSchema: null, actions: [] });
  });

  it('refuses an input that does not fit the declared input type', async () => {
    const bundle = bundleOf('input { n: number }\nreturn input.n\n');
    const wf = t.engine.deploy(bundle);
    expect(() => t.engine.start(wf.id, { input: { n: 'x' } })).toThrow(expect.objectContaining({ code: 'ALICE_VALIDATION' }));
  });

  it('gives the same script, map and code hash for the same source wherever the file lives', () => {
    const text = 'input { to: string }\nreturn mail.send(to: input.to)\n';
    const a = bundleOf(text, '/one/place/flow.alice');
    const b = bundleOf(text, 'another/dir/flow.alice');
    expect(b.script).toBe(a.script);
    expect(b.sourceMap).toBe(a.sourceMap);
    expect(b.manifest).toEqual(a.manifest);
    expect(bundleOf(text.replace('input.to', 'trim(input.to)'), '/one/place/flow.alice').manifest.codeHash).not.toBe(a.manifest.codeHash);
  });

  it('replays a run after a sleep without calling its actions again', async () => {
    const bundle = bundleOf('let a = math.double(n: 2)\nsleep 1s\nlet b = math.double(n: a.n)\nreturn b.n\n');
    const wf = t.engine.deploy(bundle);
    const r = t.engine.start(wf.id, { permissions: ['*'] });
    await t.engine.runUntilIdle();
    t.clock.advance('1s');
    await t.engine.runUntilIdle();
    expect(t.engine.getRun(r.id).output).toBe(8);
    expect(t.engine.getJournal(r.id).map((s) => [s.action, s.attempts])).toEqual([['math.double', 1], ['sleep', 1], ['math.double', 1]]);
  });

  it('fails a repeat whose count is not a number at run time with a clear error', async () => {
    const { bundle } = compile('input { n: any }\nrepeat input.n times { log "x" }\n');
    const info = await t.run(bundle!, { n: 'lots' });
    expect(info.error).toMatchObject({ message: expect.stringContaining('repeat needs a finite number of times'), source: 'test.alice:2:8' });
  });
});
