/**
 * Host patterns of a manifest's `hosts` list: the hosts a workflow may reach through
 * `http.request`, as its reviewer approved them.
 *
 * - `api.example.com`: that host, on the scheme's default port;
 * - `api.example.com:8443`, `127.0.0.1:8080`, `[::1]:8080`: that host on that port;
 * - `*.example.com`: any subdomain of example.com (not example.com itself), default port;
 * - `api.example.com:*`: that host on any port.
 *
 * Host names compare lower-case, without a trailing dot. There is no bare `*`: a workflow that
 * may reach anything must say so host by host, so the reviewer sees where data can go.
 */
export interface HostPattern {
  /** Lower-case host, IPv6 without brackets; for a wildcard, the suffix after `*.`. */
  readonly host: string;
  readonly wildcard: boolean;
  /** null = the scheme's default port; '*' = any port. */
  readonly port: number | '*' | null;
}

const label = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** Parses one pattern; a string is the reason it is not one. */
export function parseHostPattern(text: string): HostPattern | string {
  if (typeof text !== 'string' || text === '') return 'a host pattern must be a non-empty string';
  let rest = text.trim().toLowerCase();
  let port: HostPattern['port'] = null;
  let host: string;
  if (rest.startsWith('[')) {
    const end = rest.indexOf(']');
    if (end < 0) return `${JSON.stringify(text)}: an IPv6 address needs its closing ]`;
    host = rest.slice(1, end);
    rest = rest.slice(end + 1);
    if (!/^[0-9a-f:.]+$/.test(host) || !host.includes(':')) return `${JSON.stringify(text)}: not an IPv6 address`;
  } else {
    const colon = rest.lastIndexOf(':');
    host = colon < 0 ? rest : rest.slice(0, colon);
    rest = colon < 0 ? '' : rest.slice(colon);
  }
  if (rest !== '') {
    const p = rest.slice(1);
    if (!rest.startsWith(':')) return `${JSON.stringify(text)}: unexpected ${JSON.stringify(rest)} after the host`;
    if (p === '*') port = '*';
    else if (/^\d{1,5}$/.test(p) && Number(p) >= 1 && Number(p) <= 65535) port = Number(p);
    else return `${JSON.stringify(text)}: the port must be 1-65535 or *`;
  }
  if (host.endsWith('.')) host = host.slice(0, -1);
  let wildcard = false;
  if (host.startsWith('*.')) {
    wildcard = true;
    host = host.slice(2);
  }
  if (host.includes(':')) return wildcard ? `${JSON.stringify(text)}: an IPv6 address cannot have a wildcard` : { host, wildcard, port };
  const labels = host.split('.');
  if (host === '' || !labels.every((l) => label.test(l))) {
    return `${JSON.stringify(text)}: write a host name (api.example.com), *.domain, or an IP address, optionally with :port`;
  }
  if (wildcard && labels.length < 2) return `${JSON.stringify(text)}: a wildcard needs a domain of two labels or more (*.example.com)`;
  return { host, wildcard, port };
}

/**
 * Whether a URL's host and port are allowed by the patterns. `port` is the URL's port, or null
 * when it is the scheme's default.
 */
export function hostAllowed(patterns: readonly HostPattern[], host: string, port: number | null): boolean {
  let h = host.toLowerCase();
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  if (h.endsWith('.')) h = h.slice(0, -1);
  return patterns.some((p) => {
    const hostOk = p.wildcard ? h.endsWith(`.${p.host}`) : h === p.host;
    const portOk = p.port === '*' || p.port === port;
    return hostOk && portOk;
  });
}
