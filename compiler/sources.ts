import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { Diagnostic } from './diagnostic.js';

/** A path or glob that names no workflow file: a usage problem, not a finding in a file. */
export class NoFilesError extends Error {
  readonly code = 'ALICE_NO_FILES';
}

/** File extensions of workflow sources the checker reads. */
export const workflowExtensions = ['.ts', '.alice'] as const;

const skippedDirs = new Set(['node_modules', '.git', 'dist', '.alice']);

/** Whether a path names a DSL workflow rather than a TypeScript one. */
export function isDslPath(path: string): boolean {
  return path.endsWith('.alice');
}

function isWorkflowFile(path: string): boolean {
  return workflowExtensions.some((ext) => path.endsWith(ext)) && !path.endsWith('.d.ts');
}

/**
 * Expands the command line's files, directories and globs into workflow files, in a stable
 * order. A directory means every workflow file under it (not node_modules, dist, .git); a glob
 * supports `*`, `**`, `?` and `{a,b}` for shells that pass it through quoted.
 *
 * @throws NoFilesError when a named file is missing or a directory or glob holds no workflow.
 */
export function expandInputs(inputs: readonly string[]): string[] {
  const out = new Set<string>();
  for (const input of inputs) {
    if (/[*?{]/.test(input)) {
      const found = expandGlob(input);
      if (found.length === 0) throw new NoFilesError(`${input}: no workflow file (${workflowExtensions.join(', ')}) matches`);
      for (const f of found) out.add(f);
      continue;
    }
    let stat;
    try {
      stat = statSync(input);
    } catch {
      throw new NoFilesError(`${input}: no such file or directory`);
    }
    if (stat.isDirectory()) {
      // A directory of a project holds host code too (action catalogs, tests): only .ts files
      // that import from "alice" are workflows. A .alice file is always one (the DSL has no
      // other use). Name a file or a glob to check it regardless.
      const found = walk(input).filter(isWorkflowFile).filter((f) => isDslPath(f) || importsAlice(f));
      if (found.length === 0) throw new NoFilesError(`${input}: the directory holds no workflow (a .alice file, or a .ts file that imports from "alice")`);
      for (const f of found) out.add(f);
    } else {
      out.add(input);
    }
  }
  return [...out];
}

function importsAlice(path: string): boolean {
  try {
    return /\bfrom\s*["']alice["']/.test(readFileSync(path, 'utf8'));
  } catch {
    return true; // unreadable: let the checker say why
  }
}

function walk(dir: string): string[] {
  const out: string[] = [];
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isDirectory()) {
      if (!skippedDirs.has(e.name)) out.push(...walk(path));
    } else if (e.isFile()) out.push(path);
  }
  return out;
}

function expandGlob(glob: string): string[] {
  const parts = glob.split(/[\\/]/);
  const firstMagic = parts.findIndex((p) => /[*?{]/.test(p));
  const base = parts.slice(0, firstMagic).join('/') || '.';
  const re = globToRegExp(parts.slice(firstMagic).join('/'));
  return walk(base)
    .filter((f) => re.test(relative(base, f).split(sep).join('/')))
    .filter(isWorkflowFile);
}

/** `**` spans directories, `*` and `?` do not, `{a,b}` is a choice. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      const slash = glob[i + 2] === '/';
      re += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '{') {
      const close = glob.indexOf('}', i);
      if (close < 0) re += '\\{';
      else {
        re += `(?:${glob.slice(i + 1, close).split(',').map((s) => s.replace(/[.+^$()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')).join('|')})`;
        i = close;
      }
    } else re += c.replace(/[.+^$()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** A source read from disk, or the diagnostic that says why it could not be. */
export type ReadResult = { ok: true; path: string; text: string } | { ok: false; diagnostic: Diagnostic };

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Reads a workflow file as strict UTF-8: a file in another encoding gets a diagnostic, not mojibake. */
export function readSource(path: string): ReadResult {
  let bytes: Buffer;
  try {
    // A named pipe or a device would block the read (or never end): only regular files.
    const stat = statSync(path);
    if (!stat.isFile() && !stat.isDirectory()) return { ok: false, diagnostic: fileProblem(path, 'alice/unreadable-file', `cannot read ${path}: not a regular file (a pipe, a socket or a device)`) };
    if (stat.size > maxSourceBytes) return { ok: false, diagnostic: fileProblem(path, 'alice/unreadable-file', `cannot read ${path}: ${stat.size} bytes, more than a workflow source may have (${maxSourceBytes})`) };
    bytes = readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    return { ok: false, diagnostic: fileProblem(path, 'alice/unreadable-file', `cannot read ${path}: ${why}`) };
  }
  try {
    return { ok: true, path, text: utf8.decode(bytes) };
  } catch {
    const offset = firstInvalidUtf8(bytes);
    return {
      ok: false,
      diagnostic: fileProblem(path, 'alice/encoding', `${path} is not valid UTF-8 (byte 0x${bytes[offset].toString(16).padStart(2, '0')} at offset ${offset}); workflow sources must be UTF-8`, 'convert the file to UTF-8, e.g. iconv -f latin1 -t utf-8'),
    };
  }
}

/** 16 MiB: far beyond any workflow, and short of what would exhaust the checker's memory. */
const maxSourceBytes = 16 * 1024 * 1024;

function fileProblem(file: string, rule: string, message: string, hint?: string): Diagnostic {
  return { rule, severity: 'error', file, line: 1, column: 1, endLine: 1, endColumn: 1, message, ...(hint !== undefined ? { hint } : {}) };
}

/** Offset of the first byte that does not start or continue a well-formed UTF-8 sequence. */
function firstInvalidUtf8(bytes: Buffer): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    const len = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (len === 0) return i;
    try {
      utf8.decode(bytes.subarray(i, i + len));
    } catch {
      return i;
    }
    i += len;
  }
  return 0;
}
