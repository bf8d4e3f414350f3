import { readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { validateBundle, type Bundle } from '../bundle.js';
import { BundleError } from '../errors.js';

/** The script of a bundle directory when its manifest names none. */
export const defaultScript = 'workflow.js';

/**
 * Reads a bundle from disk: a directory holding `manifest.json` and the script
 * (`workflow.js`, or the file named by the manifest's `script` field, plus an optional
 * `<script>.map` source map), or a single `.json` file `{ script, manifest, sourceMap? }`.
 * Every problem is a {@link BundleError} whose message starts with the file it is about.
 *
 * @example
 * const bundle = loadBundle('examples/order-flow');
 * engine.deploy(bundle);
 */
export function loadBundle(path: string): Bundle {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch (err) {
    throw new BundleError(`${path}: ${describeFsError(err)}; expected a bundle directory (manifest.json + workflow.js) or a bundle .json file`, 'path');
  }
  return isDir ? loadDirectory(path) : loadJsonFile(path);
}

function loadDirectory(dir: string): Bundle {
  const manifestPath = join(dir, 'manifest.json');
  const manifest = readJson(manifestPath);
  if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest)) {
    throw new BundleError(`${manifestPath}: must be a JSON object (the manifest: name, kind, actions, ...)`, 'manifest');
  }
  const { script: scriptField, ...rest } = manifest as Record<string, unknown>;
  if (scriptField !== undefined && (typeof scriptField !== 'string' || scriptField === '')) {
    throw new BundleError(`${manifestPath}: field "script" must be the file name of the workflow script, e.g. "workflow.js"`, 'manifest.script');
  }
  const scriptName = scriptField ?? defaultScript;
  const scriptPath = resolve(dir, scriptName);
  // The script must live in the bundle: a manifest cannot point the CLI at arbitrary files.
  const inside = relative(resolve(dir), scriptPath);
  if (inside === '' || inside.startsWith('..') || inside.startsWith(sep)) {
    throw new BundleError(`${manifestPath}: field "script" (${JSON.stringify(scriptName)}) must name a file inside the bundle directory`, 'manifest.script');
  }
  const shownScript = join(dir, scriptName);
  const script = readText(shownScript);
  const mapPath = `${shownScript}.map`;
  const sourceMap = exists(mapPath) ? readText(mapPath) : null;
  return validate({ script, manifest: rest, sourceMap }, (field) => (field === 'script' ? shownScript : field === 'sourceMap' ? mapPath : manifestPath));
}

/**
 * The file a bundle problem is about, for error messages: the manifest, the script or the
 * source map of a bundle directory, or the bundle .json file itself.
 */
export function bundleFileOf(path: string, field: string | undefined): string {
  let isDir = false;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    return path;
  }
  if (!isDir) return path;
  if (field === 'script') return join(path, defaultScript);
  return join(path, 'manifest.json');
}

function loadJsonFile(path: string): Bundle {
  if (!path.endsWith('.json')) {
    throw new BundleError(`${path}: a bundle is a directory (manifest.json + workflow.js) or a .json file { script, manifest, sourceMap? }`, 'path');
  }
  const value = readJson(path);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new BundleError(`${path}: must be a JSON object { script, manifest, sourceMap? }`, 'bundle');
  }
  return validate(value, () => path);
}

/** Runs the engine's bundle check and puts the file of the bad field in front of its message. */
function validate(candidate: unknown, fileOf: (field: string | undefined) => string): Bundle {
  try {
    return validateBundle(candidate);
  } catch (err) {
    if (err instanceof BundleError) throw new BundleError(`${fileOf(err.field)}: ${err.message}`, err.field);
    throw err;
  }
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new BundleError(`${path}: ${describeFsError(err)}`, 'path');
  }
}

function readJson(path: string): unknown {
  const text = readText(path);
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new BundleError(`${path}: not valid JSON (${(err as Error).message})`, 'json');
  }
}

function exists(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function describeFsError(err: unknown): string {
  switch ((err as NodeJS.ErrnoException).code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory, expected a file';
    default:
      return (err as Error).message;
  }
}
