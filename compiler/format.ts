/**
 * The four ways `alice check` reports diagnostics. Every formatter takes the same array and
 * returns the whole output as one string ending in a newline; none prints or decides the exit
 * code. Diagnostics are sorted first (sortDiagnostics), so the output is stable for diffs.
 *
 * - `text`: for people. One heading line per file, then `file:line:col  rule  message` lines
 *   (the full location on each line, so terminals and editors can jump to it), an indented
 *   `hint: …` line when there is a fix, and a summary: `✖ 3 errors, 1 warning in 2 of 5 files`,
 *   `⚠ 0 errors, 1 warning in 1 of 5 files` or `✔ 5 files checked, no problems`. A warning's
 *   message starts with `warning: `; errors are the default and carry no prefix.
 * - `json`: for scripts. Exactly `{"diagnostics":[{"file","line","column","endLine","endColumn",
 *   "rule","severity","message","hint"}],"files":N}` on one line, `hint` null when absent.
 * - `sarif`: SARIF 2.1.0 for code-scanning services. Columns are UTF-16 code units (what the
 *   TypeScript API counts), declared as the run's `columnKind`. Relative paths become relative
 *   URIs under `%SRCROOT%`, absolute ones `file:` URIs. The hint is appended to the message
 *   (`… (hint: …)`), since SARIF results carry one message. Rules used by a result but missing
 *   from the given list (TypeScript's `ts2304`, …) get an entry of their own.
 * - `github`: workflow commands (`::error file=…,line=…::message`) that GitHub Actions turns into
 *   annotations on the pull request, then the text summary as a plain log line.
 */
import { isAbsolute as isPosixAbsolute } from 'node:path/posix';
import { isAbsolute as isWin32Absolute } from 'node:path/win32';
import { pathToFileURL } from 'node:url';
import { assertNever } from '../runtime/errors.js';
import { sortDiagnostics, type Diagnostic } from './diagnostic.js';

export type OutputFormat = 'text' | 'json' | 'sarif' | 'github';

/** The formats `--format` accepts, in the order `--help` lists them. */
export const outputFormats: readonly OutputFormat[] = ['text', 'json', 'sarif', 'github'];

export interface RuleDescriptor {
  /** `alice/no-wall-clock`, `ts2304`, … as in `Diagnostic.rule`. */
  id: string;
  description: string;
  helpUri?: string;
}

export interface FormatOptions {
  format: OutputFormat;
  /** How many files were checked (the summary's and json's `files`). */
  files: number;
  /** The known rules, described in SARIF's `tool.driver.rules`. */
  rules: readonly RuleDescriptor[];
  /** The compiler's version, SARIF's `tool.driver.version`. */
  toolVersion: string;
}

/**
 * Renders diagnostics in one output format.
 *
 * @example
 * process.stdout.write(formatDiagnostics(diagnostics, { format: 'text', files: 3, rules, toolVersion: '0.1.0' }));
 */
export function formatDiagnostics(diagnostics: readonly Diagnostic[], options: FormatOptions): string {
  const sorted = sortDiagnostics(diagnostics);
  switch (options.format) {
    case 'text':
      return text(sorted, options.files);
    case 'json':
      return json(sorted, options.files);
    case 'sarif':
      return sarif(sorted, options);
    case 'github':
      return github(sorted, options.files);
    default:
      return assertNever(options.format);
  }
}

function text(diagnostics: readonly Diagnostic[], files: number): string {
  const out: string[] = [];
  let current: string | null = null;
  for (const d of diagnostics) {
    if (d.file !== current) {
      if (current !== null) out.push('');
      out.push(d.file);
      current = d.file;
    }
    const where = `${d.file}:${d.line}:${d.column}`;
    const message = d.severity === 'warning' ? `warning: ${d.message}` : d.message;
    // A multi-line message (TypeScript's chained messages) keeps its lines under the first.
    out.push(`  ${where}  ${d.rule}  ${message.split(/\r?\n/).join('\n    ')}`);
    if (d.hint !== undefined) out.push(`    hint: ${d.hint.split(/\r?\n/).join('\n    ')}`);
  }
  if (diagnostics.length > 0) out.push('');
  out.push(summary(diagnostics, files));
  return `${out.join('\n')}\n`;
}

function summary(diagnostics: readonly Diagnostic[], files: number): string {
  if (diagnostics.length === 0) return `✔ ${plural(files, 'file')} checked, no problems`;
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.length - errors;
  const withProblems = new Set(diagnostics.map((d) => d.file)).size;
  const mark = errors > 0 ? '✖' : '⚠';
  return `${mark} ${plural(errors, 'error')}, ${plural(warnings, 'warning')} in ${withProblems} of ${plural(Math.max(files, withProblems), 'file')}`;
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function json(diagnostics: readonly Diagnostic[], files: number): string {
  // Built key by key so the order is the documented one whatever the diagnostic objects hold.
  const rows = diagnostics.map((d) => ({
    file: d.file,
    line: d.line,
    column: d.column,
    endLine: d.endLine,
    endColumn: d.endColumn,
    rule: d.rule,
    severity: d.severity,
    message: d.message,
    hint: d.hint ?? null,
  }));
  return `${JSON.stringify({ diagnostics: rows, files })}\n`;
}

function sarif(diagnostics: readonly Diagnostic[], options: FormatOptions): string {
  const rules = options.rules.map((r) => ({
    id: r.id,
    shortDescription: { text: r.description },
    ...(r.helpUri === undefined ? {} : { helpUri: r.helpUri }),
  }));
  const index = new Map(rules.map((r, i) => [r.id, i]));
  for (const d of diagnostics) {
    if (index.has(d.rule)) continue;
    index.set(d.rule, rules.length);
    rules.push({ id: d.rule, shortDescription: { text: generatedDescription(d.rule) } });
  }
  const results = diagnostics.map((d) => ({
    ruleId: d.rule,
    ruleIndex: index.get(d.rule) ?? 0,
    level: d.severity,
    message: { text: d.hint === undefined ? d.message : `${d.message} (hint: ${d.hint})` },
    locations: [
      {
        physicalLocation: {
          artifactLocation: artifactLocation(d.file),
          region: {
            startLine: Math.max(1, d.line),
            startColumn: Math.max(1, d.column),
            endLine: Math.max(1, d.endLine),
            endColumn: Math.max(1, d.endColumn),
          },
        },
      },
    ],
  }));
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'alice', version: options.toolVersion, rules } },
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}

/** A rule the caller did not describe: TypeScript's own diagnostics, or a rule added since. */
function generatedDescription(rule: string): string {
  const ts = /^ts(\d+)$/.exec(rule);
  return ts === null ? rule : `TypeScript error TS${ts[1]}`;
}

/** Relative paths stay relative to the checkout (`%SRCROOT%`); absolute ones become `file:` URIs. */
function artifactLocation(file: string): { uri: string; uriBaseId?: string } {
  if (isPosixAbsolute(file) || isWin32Absolute(file)) {
    // pathToFileURL follows the host's path rules; a Windows path on another host is spelt out.
    const uri = isPosixAbsolute(file)
      ? pathToFileURL(file).href
      : `file:///${file.replace(/\\/g, '/').split('/').map(encodeSegment).join('/')}`;
    return { uri };
  }
  return { uri: file.replace(/\\/g, '/').split('/').map(encodeSegment).join('/'), uriBaseId: '%SRCROOT%' };
}

/** Percent-encodes what a URI path segment cannot hold (spaces, `#`, `?`, …); keeps `C:`. */
function encodeSegment(segment: string): string {
  return /^[A-Za-z]:$/.test(segment) ? segment : encodeURIComponent(segment);
}

function github(diagnostics: readonly Diagnostic[], files: number): string {
  const lines = diagnostics.map((d) => {
    const props = [
      `file=${escapeProperty(d.file.replace(/\\/g, '/'))}`,
      `line=${d.line}`,
      `col=${d.column}`,
      `endLine=${d.endLine}`,
      `endColumn=${d.endColumn}`,
      `title=${escapeProperty(d.rule)}`,
    ].join(',');
    const message = d.hint === undefined ? d.message : `${d.message}\nhint: ${d.hint}`;
    return `::${d.severity} ${props}::${escapeData(message)}`;
  });
  // The summary is a plain log line: GitHub prints lines that are not commands as they are.
  lines.push(summary(diagnostics, files));
  return `${lines.join('\n')}\n`;
}

/** GitHub's escaping of a command's message (actions/toolkit, `escapeData`). */
function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** GitHub's escaping of a command's property values (actions/toolkit, `escapeProperty`). */
function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
