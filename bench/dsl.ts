/**
 * The `dsl` figure: `dsl_compile_1000_lines_ms`, lex + parse + check + lower + manifest of a
 * generated 1,000-line DSL program, in this process, warm (the parser is built and the JIT has
 * seen the code), median of repeated compiles. Target (issue 5): ≤ 50 ms.
 */
import { catalogOf } from '../compiler/catalog.js';
import { compileDslSource } from '../compiler/dsl/index.js';
import { defineAction } from '../runtime/index.js';
import { median, round, type GroupResult } from './harness.js';

const catalog = catalogOf([
  defineAction({
    name: 'orders.get',
    input: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'], additionalProperties: false },
    output: { type: 'object', properties: { id: { type: 'string' }, total: { type: 'number' }, items: { type: 'array', items: { type: 'object', properties: { sku: { type: 'string' }, qty: { type: 'integer' } }, required: ['sku', 'qty'] } } }, required: ['id', 'total', 'items'] },
    run: () => ({ id: 'x', total: 0, items: [] }),
  }),
  defineAction({
    name: 'mail.send',
    input: { type: 'object', properties: { to: { type: 'string' }, subject: { type: 'string' }, body: { type: 'string' } }, required: ['to', 'subject'], additionalProperties: false },
    output: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
    run: () => ({ id: 'm' }),
  }),
]);

/** A realistic program of about `lines` lines: functions, loops, tries, parallel blocks, waits. */
export function generatedDslProgram(lines: number): string {
  const out = ['workflow "generated"', 'description "A generated program for the compile benchmark."', 'trigger manual', 'input {', '  ids: [string]', '  to: string', '  limit?: number', '}', ''];
  for (let i = 0; out.length < lines - 2; i++) {
    out.push(
      `fn total${i}(items: [{ sku: string, qty: number }]) {`,
      `  var n = 0`,
      `  for item in items where item.qty > 0 {`,
      `    n = n + item.qty * ${i + 1}`,
      `  }`,
      `  return n`,
      `}`,
      `let order${i} = orders.get(id: input.ids[${i % 7}] ?? "none")`,
      `var count${i} = total${i}(order${i}.items)`,
      `if count${i} > (input.limit ?? 100) and len(order${i}.items) != 0 {`,
      `  log "large order", order${i}.id, count${i}`,
      `} else {`,
      `  count${i} = count${i} + 1`,
      `}`,
      `try {`,
      `  mail.send(to: input.to, subject: "Order {order${i}.id}: {fixed(order${i}.total / 100, 2)} EUR", body: join(for it in order${i}.items => it.sku, ", "))`,
      `} catch "BOUNCED" as err${i} {`,
      `  log "bounced", err${i}.message`,
      `}`,
      `parallel {`,
      `  let a${i} = orders.get(id: "a-${i}")`,
      `  let b${i} = orders.get(id: "b-${i}")`,
      `}`,
      `let sums${i} = parallel for id in input.ids => orders.get(id).total`,
      `repeat 2 times {`,
      `  log "tick", sum(sums${i}) + a${i}.total + b${i}.total`,
      `}`,
      `let paid${i} = wait for event "order.paid" where { id: order${i}.id } timeout 7d`,
      `if paid${i} != null {`,
      `  log "paid", paid${i}.data`,
      `}`,
      '',
    );
  }
  out.push('return { done: true }', '');
  return out.join('\n');
}

export async function dslGroup(options: { quick: boolean }): Promise<GroupResult> {
  const text = generatedDslProgram(1000);
  const lines = text.split('\n').length;
  const compileOnce = (): number => {
    const started = performance.now();
    const { bundle, diagnostics } = compileDslSource({ ok: true, path: 'generated.alice', text }, { catalog });
    const ms = performance.now() - started;
    if (bundle === null) throw new Error(`the generated program does not compile:\n${diagnostics.slice(0, 5).map((d) => `${d.line}:${d.column} ${d.rule} ${d.message}`).join('\n')}`);
    return ms;
  };
  const cold = compileOnce();
  const warmups = options.quick ? 5 : 20;
  for (let i = 0; i < warmups; i++) compileOnce();
  const runs = options.quick ? 10 : 30;
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) samples.push(compileOnce());
  return {
    figures: [
      {
        name: 'dsl_compile_1000_lines_ms',
        value: round(median(samples)),
        unit: 'ms',
        target: { op: '<=', value: 50 },
        how: `lex+parse+check+lower+manifest of a generated ${lines}-line .alice program, warm, in process, median of ${runs}`,
        samples: samples.map((x) => round(x)),
      },
    ],
    notes: [{ label: 'dsl: first compile in a fresh process (parser construction included)', text: `${cold.toFixed(1)} ms` }],
  };
}
