/** The human table of `npm run bench` (stderr): figure, median, target, ratio, spread, method. */
import type { Figure, Note } from './harness.js';

function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a >= 1000) return x.toFixed(0);
  if (a >= 10) return x.toFixed(1);
  if (a >= 1) return x.toFixed(2);
  return x.toPrecision(3);
}

/** `value / target`; for a `>=` target the ratio is inverted so that > 1 always means "worse by". */
function verdict(f: Figure): { target: string; ratio: string; ok: string } {
  if (f.target === undefined) return { target: '—', ratio: '—', ok: '' };
  const { op, value } = f.target;
  const worse = op === '<=' ? f.value / value : value / f.value;
  const ok = op === '<=' ? f.value <= value : f.value >= value;
  return { target: `${op} ${fmt(value)}`, ratio: `${fmt(worse)}×`, ok: ok ? 'meets' : 'MISSES' };
}

export function formatTable(figures: Figure[], notes: Note[], seconds: number): string {
  const header = ['figure', 'median', 'unit', 'target', 'off by', '', 'min … max (n)'];
  const rows = figures.map((f) => {
    const v = verdict(f);
    const lo = Math.min(...f.samples);
    const hi = Math.max(...f.samples);
    return [f.name, fmt(f.value), f.unit, v.target, v.ratio, v.ok, `${fmt(lo)} … ${fmt(hi)} (${f.samples.length})`];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  const out = [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
  out.push('', '"off by" = how many times worse than the target (≤ 1× meets it). Medians; the machine may be shared.', '');
  out.push('How each figure was measured:');
  for (const f of figures) out.push(`  ${f.name}: ${f.how}`);
  if (notes.length > 0) {
    out.push('', 'Details:');
    for (const n of notes) out.push(`  ${n.label}: ${n.text}`);
  }
  out.push('', `bench took ${seconds.toFixed(1)} s`);
  return out.join('\n');
}
