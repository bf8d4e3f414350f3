// TypeScript is a 9 MB CommonJS file, and loading it is most of what a one-file `alice check`
// costs. Two things make that cheaper:
// - Imported from ESM, Node 20 first scans all of it to guess its format and its export names
//   (≈ 0.7 s, more than the check itself). Required from this CommonJS module it is not.
// - Compiling it takes V8 ≈ 0.3 s, and so does compiling the functions a check calls. So it is
//   compiled with a V8 code cache kept under node_modules/.cache/alice (made on first use,
//   refreshed when V8 rejects it, e.g. after a Node upgrade). Without a writable cache folder
//   it is simply compiled every time.
import fs = require('node:fs');
import Module = require('node:module');
import path = require('node:path');
import v8 = require('node:v8');
import vm = require('node:vm');
import buffer = require('node:buffer');

/** Loads typescript.js into require's cache through a V8 code cache; `require` then finds it there. */
function preload(): void {
  let file: string;
  let source: string;
  try {
    file = require.resolve('typescript');
    if (require.cache[file] !== undefined) return;
    // typescript.js is ASCII: read as Latin-1 it becomes a one-byte string without UTF-8 decoding.
    const bytes = fs.readFileSync(file);
    source = buffer.isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
  } catch {
    return; // let the plain require below say what is wrong
  }
  const version = /"version":\s*"([^"]+)"/.exec(fs.readFileSync(path.join(path.dirname(file), '..', 'package.json'), 'utf8'))?.[1] ?? 'unknown';
  const cacheDir = path.join(path.dirname(file), '..', '..', '.cache', 'alice');
  // V8 rejects a cache made under other flags (alice check runs small inputs with --no-opt);
  // the version tag covers V8's version and flags, so each mode keeps a cache of its own
  // instead of overwriting the other's.
  const cacheFile = path.join(cacheDir, `typescript-${version}-${process.arch}-${v8.cachedDataVersionTag()}.v8cache`);
  let cachedData: Buffer | undefined;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(Module.wrap(source), { filename: file, ...(cachedData !== undefined ? { cachedData } : {}) });
  const mod = new Module(file, module);
  mod.filename = file;
  const run = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: unknown, filename: string, dirname: string) => void;
  run.call(mod.exports, mod.exports, Module.createRequire(file), mod, file, path.dirname(file));
  mod.loaded = true;
  require.cache[file] = mod;
  if (cachedData === undefined || script.cachedDataRejected === true) {
    // Written at exit, so the cache also holds the functions this process compiled lazily.
    process.once('exit', () => {
      try {
        fs.mkdirSync(cacheDir, { recursive: true });
        const tmp = `${cacheFile}.${process.pid}.tmp`;
        fs.writeFileSync(tmp, script.createCachedData());
        fs.renameSync(tmp, cacheFile);
      } catch {
        // A read-only install: no cache, only a slower start.
      }
    });
  }
}

preload();
import ts = require('typescript');
export = ts;
