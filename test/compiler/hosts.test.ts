import { describe, expect, it } from 'vitest';
import { catalogOf } from '../../compiler/catalog.js';
import { compileSource } from '../../compiler/compile.js';
import { compileDslSource } from '../../compiler/dsl/index.js';
import { hostAllowed, parseHostPattern, type HostPattern } from '../../runtime/index.js';
import { standardActions } from '../../stdlib/index.js';

const catalog = catalogOf(standardActions({ store: ':memory:' }));

describe('host patterns', () => {
  it.each([
    ['api.example.com', { host: 'api.example.com', wildcard: false, port: null }],
    ['API.Example.com.', { host: 'api.example.com', wildcard: false, port: null }],
    ['*.example.com', { host: 'example.com', wildcard: true, port: null }],
    ['127.0.0.1:8080', { host: '127.0.0.1', wildcard: false, port: 8080 }],
    ['[::1]:8080', { host: '::1', wildcard: false, port: 8080 }],
    ['api.example.com:*', { host: 'api.example.com', wildcard: false, port: '*' }],
  ])('parses %s', (text, expected) => {
    expect(parseHostPattern(text)).toEqual(expected);
  });

  it.each(['', '*', '*.com', 'exa mple.com', 'example.com:0', 'example.com:70000', 'http://example.com', '-bad.example.com', '[::1', 'a..b'])('refuses %j with a reason', (text) => {
    expect(typeof parseHostPattern(text)).toBe('string');
  });

  it('matches hosts and ports as a reviewer would read them', () => {
    const p = ['api.example.com', '*.cdn.example.com', '127.0.0.1:8080'].map((t) => parseHostPattern(t) as HostPattern);
    expect(hostAllowed(p, 'API.example.com', null)).toBe(true);
    expect(hostAllowed(p, 'api.example.com', 8443)).toBe(false);
    expect(hostAllowed(p, 'img.cdn.example.com', null)).toBe(true);
    expect(hostAllowed(p, 'cdn.example.com', null)).toBe(false);
    expect(hostAllowed(p, 'evil-cdn.example.com', null)).toBe(false);
    expect(hostAllowed(p, 'api.example.com.evil.net', null)).toBe(false);
    expect(hostAllowed(p, '127.0.0.1', 8080)).toBe(true);
    expect(hostAllowed(p, '127.0.0.1', 8081)).toBe(false);
  });
});

describe('hosts in workflow metadata', () => {
  it('copies a TypeScript workflow\'s hosts into the manifest, and refuses a bad pattern where it is written', () => {
    const ok = compileSource(
      { ok: true, path: 'fetch.ts', text: `import { http, type Workflow } from "alice";\nexport const workflow = { name: "fetch", hosts: ["api.example.com", "*.cdn.example.com"] } satisfies Workflow;\nexport default async function (input: { path: string }) {\n  return (await http.request({ url: "https://api.example.com/" + input.path })).status;\n}\n` },
      { catalog },
    );
    expect(ok.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(ok.bundle?.manifest.hosts).toEqual(['api.example.com', '*.cdn.example.com']);

    const bad = compileSource({ ok: true, path: 'bad.ts', text: `import type { Workflow } from "alice";\nexport const workflow = { name: "bad", hosts: ["*"] } satisfies Workflow;\nexport default async function () { return 1; }\n` }, { catalog });
    expect(bad.bundle).toBeNull();
    expect(bad.diagnostics).toEqual([expect.objectContaining({ line: 2, message: expect.stringContaining('hosts lists what http.request may reach') })]);
  });

  it('reads `hosts` lines of a .alice header into the manifest, and reports a bad pattern as dsl/metadata', () => {
    const ok = compileDslSource({ ok: true, path: 'fetch.alice', text: 'workflow "fetch"\nhosts "api.example.com", "127.0.0.1:8080"\nhosts "api.example.com"\nlet r = http.request(url: "https://api.example.com/x")\nreturn r.status\n' }, { catalog });
    expect(ok.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(ok.bundle?.manifest.hosts).toEqual(['api.example.com', '127.0.0.1:8080']);
    const bad = compileDslSource({ ok: true, path: 'bad.alice', text: 'workflow "bad"\nhosts "exa mple.com"\nreturn 1\n' }, { catalog });
    expect(bad.bundle).toBeNull();
    expect(bad.diagnostics).toEqual([expect.objectContaining({ rule: 'dsl/metadata', line: 2, column: 7 })]);
  });
});
