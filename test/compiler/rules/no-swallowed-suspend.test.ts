import noSwallowedSuspend from '../../../compiler/rules/no-swallowed-suspend.js';
import { ruleCases } from '../rule-cases.js';

ruleCases(noSwallowedSuspend, {
  valid: [
    { name: 'catch with rethrow', code: 'try { await kv.get({ key: "a" }); } catch (e) { log(e); throw e; }' },
    { name: 'handles one error and rethrows the rest', code: 'try { await kv.get({ key: "a" }); } catch (e) { if (e instanceof ActionError && e.code === "X") { log("x"); } else { throw e; } }' },
    { name: 'rethrows a wrapped error', code: 'try { await kv.get({ key: "a" }); } catch (e) { throw new Error("wrapped"); }' },
    { name: 'a catch around code without steps', code: 'try { JSON.parse(input.s); } catch (e) { log(e); }' },
    { name: 'finally without a jump', code: 'try { await kv.get({ key: "a" }); } finally { log("done"); }' },
    { name: 'break inside a loop inside finally', code: 'try { await kv.get({ key: "a" }); } finally { for (const x of [1]) { if (x) break; } }' },
    { name: 'continue inside a loop inside finally', code: 'try { await kv.get({ key: "a" }); } finally { for (const x of [1, 2]) { if (x) continue; log(x); } }' },
    { name: 'break of a switch inside finally', code: 'try { await kv.get({ key: "a" }); } finally { switch (input.x) { case 1: break; } }' },
    { name: 'return in a function inside finally', code: 'try { await kv.get({ key: "a" }); } finally { const f = () => { return 1; }; log(f()); }' },
    { name: 'throw in finally', code: 'try { await kv.get({ key: "a" }); } finally { if (input.a) { throw new Error("x"); } }' },
    { name: 'a .catch handler that rethrows', code: 'const v = await kv.get({ key: "a" }).catch((e) => { log(e); throw e; });' },
    { name: 'a .then without a rejection handler', code: 'const v = await kv.get({ key: "a" }).then((x) => x);' },
    { name: 'a .catch on a promise without steps', code: 'const v = await Promise.resolve(1).catch(() => 0);' },
  ],
  invalid: [
    { name: 'catch without rethrow', code: 'try { await kv.get({ key: "a" }); } catch (e) { log(e); }', line: 1, column: 44, message: 'never rethrows' },
    { name: 'an empty catch without binding', code: 'try { await kv.get({ key: "a" }); } catch { }', line: 1, column: 37 },
    { name: 'catch that returns', code: 'try { await kv.get({ key: "a" }); } catch (e) { return null; }', line: 1, column: 44 },
    { name: 'a throw only inside a nested function', code: 'try { await kv.get({ key: "a" }); } catch (e) { const f = () => { throw e; }; }', line: 1, column: 44 },
    { name: 'around sleep', code: 'try { await sleep("1h"); } catch { log("woke"); }', line: 1, column: 28 },
    { name: 'around a helper that starts steps', code: 'async function h() { await kv.get({ key: "a" }); }\ntry { await h(); } catch (e) { log(e); }', line: 2, column: 27 },
    { name: 'inside a helper', code: 'async function h() { try { await kv.get({ key: "a" }); } catch { } }', line: 1, column: 58 },
    { name: 'return in finally', code: 'try { await kv.get({ key: "a" }); } finally { return 1; }', line: 1, column: 47, message: 'return in finally' },
    { name: 'break out of finally', code: 'for (;;) { try { await kv.get({ key: "a" }); } finally { break; } }', line: 1, column: 58, message: 'break out of finally' },
    { name: 'continue out of finally', code: 'for (;;) { try { await kv.get({ key: "a" }); } finally { continue; } }', line: 1, column: 58 },
    { name: 'labelled break out of finally from an inner loop', code: 'outer: for (;;) { try { await kv.get({ key: "a" }); } finally { for (;;) { break outer; } } }', line: 1, column: 76 },
    { name: 'a .catch handler that never rethrows', code: 'const v = await kv.get({ key: "a" }).catch(() => null);', line: 1, column: 44, message: '.catch() handler' },
    { name: 'a .then rejection handler', code: 'const v = await kv.get({ key: "a" }).then(undefined, () => null);', line: 1, column: 54 },
    { name: 'a .catch on a promise stored first', code: 'const p = kv.get({ key: "a" }).catch((e) => { log(e); });\nawait p;', line: 1, column: 38 },
  ],
});
