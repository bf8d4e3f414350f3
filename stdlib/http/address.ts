import { isIP } from 'node:net';

/**
 * Which IP addresses `http.request` may connect to. A workflow that may reach
 * `api.example.com` must not reach the machine it runs on, its network, or the cloud's metadata
 * service through a name that resolves there (or an IP literal, or a redirect): so every
 * address a connection would use is checked against the special-purpose ranges below, and the
 * ones that are not on the public internet are refused unless the configuration allows them.
 */

/** An IP address as bytes: 4 for IPv4, 16 for IPv6. */
type Bytes = readonly number[];

interface Range {
  readonly bytes: Bytes;
  readonly bits: number;
}

interface DeniedRange extends Range {
  /** What the range is, for the refusal message. */
  readonly kind: string;
}

/**
 * Special-purpose ranges (IANA registries, RFC 6890 and successors) that are not public
 * unicast destinations. Public addresses inside IPv6 wrappers (IPv4-mapped, NAT64, 6to4) are
 * judged by the IPv4 address they carry, see {@link embeddedIPv4}.
 */
const deniedRanges: readonly DeniedRange[] = [
  ['0.0.0.0/8', 'unspecified ("this network")'],
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'carrier-grade NAT (CGNAT)'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local'],
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'IETF protocol assignments'],
  ['192.0.2.0/24', 'documentation (TEST-NET-1)'],
  ['192.88.99.0/24', '6to4 relay anycast'],
  ['192.168.0.0/16', 'private'],
  ['198.18.0.0/15', 'benchmarking'],
  ['198.51.100.0/24', 'documentation (TEST-NET-2)'],
  ['203.0.113.0/24', 'documentation (TEST-NET-3)'],
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved'],
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  ['100::/64', 'discard-only'],
  ['2001:db8::/32', 'documentation'],
  ['fc00::/7', 'unique-local'],
  ['fe80::/10', 'link-local'],
  ['fec0::/10', 'site-local (deprecated)'],
  ['ff00::/8', 'multicast'],
].map(([cidr, kind]) => ({ ...(parseCidr(cidr) as Range), kind }));

/**
 * IPv6 forms that carry an IPv4 address: the IPv4 address decides (so `::ffff:127.0.0.1` is
 * loopback, and `::ffff:8.8.8.8` is as public as `8.8.8.8`). [prefix, first byte of the IPv4].
 */
const wrappers: readonly (readonly [Range, number])[] = [
  [parseCidr('::ffff:0:0/96') as Range, 12], // IPv4-mapped
  [parseCidr('::/96') as Range, 12], // IPv4-compatible (deprecated); :: and ::1 matched above
  [parseCidr('64:ff9b::/96') as Range, 12], // NAT64 well-known prefix
  [parseCidr('64:ff9b:1::/48') as Range, 12], // local-use NAT64
  [parseCidr('2002::/16') as Range, 2], // 6to4
];

/** The address as bytes, or null when it is not an IP address. A zone (`fe80::1%eth0`) is ignored. */
function addressBytes(text: string): Bytes | null {
  const address = text.includes('%') ? text.slice(0, text.indexOf('%')) : text;
  const family = isIP(address);
  if (family === 4) return address.split('.').map(Number);
  if (family !== 6) return null;
  let head = address;
  let tail: number[] = [];
  // A dotted IPv4 at the end (::ffff:1.2.3.4) stands for the last two groups.
  const lastColon = address.lastIndexOf(':');
  if (address.includes('.', lastColon)) {
    tail = address.slice(lastColon + 1).split('.').map(Number);
    head = `${address.slice(0, lastColon + 1)}0:0`;
  }
  const [left, right] = head.includes('::') ? head.split('::') : [head, null];
  const groups = (s: string) => (s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)));
  const l = groups(left);
  const r = right === null ? [] : groups(right);
  const all = right === null ? l : [...l, ...new Array<number>(8 - l.length - r.length).fill(0), ...r];
  const bytes = all.flatMap((g) => [g >> 8, g & 0xff]);
  if (tail.length === 4) bytes.splice(12, 4, ...tail);
  return bytes;
}

/** `10.0.0.0/8`, `::1/128`, or a bare address (a /32 or /128); a string is the reason it is not one. */
function parseCidr(text: string): Range | string {
  const slash = text.indexOf('/');
  const address = slash < 0 ? text : text.slice(0, slash);
  const bytes = addressBytes(address);
  if (bytes === null || address.includes('%')) return `${JSON.stringify(text)} is not an IP address or CIDR range (10.0.0.0/8, ::1/128)`;
  const max = bytes.length * 8;
  const bitsText = slash < 0 ? String(max) : text.slice(slash + 1);
  const bits = Number(bitsText);
  if (!/^\d{1,3}$/.test(bitsText) || bits > max) return `${JSON.stringify(text)}: the prefix length must be 0-${max}`;
  return { bytes, bits };
}

function contains(range: Range, bytes: Bytes): boolean {
  if (range.bytes.length !== bytes.length) return false;
  for (let bit = 0; bit < range.bits; bit += 8) {
    const take = Math.min(8, range.bits - bit);
    const mask = (0xff << (8 - take)) & 0xff;
    if ((range.bytes[bit / 8] & mask) !== (bytes[bit / 8] & mask)) return false;
  }
  return true;
}

/** The IPv4 address an IPv6 address carries (mapped, compatible, NAT64, 6to4), if it carries one. */
function embeddedIPv4(bytes: Bytes): Bytes | null {
  if (bytes.length !== 16) return null;
  for (const [range, at] of wrappers) if (contains(range, bytes)) return bytes.slice(at, at + 4);
  return null;
}

/** The special-purpose range an address is in, or null for a public address. */
function specialRange(bytes: Bytes): string | null {
  const own = deniedRanges.find((r) => contains(r, bytes));
  if (own !== undefined) return own.kind;
  const v4 = embeddedIPv4(bytes);
  if (v4 === null) return null;
  const inner = deniedRanges.find((r) => contains(r, v4));
  return inner === undefined ? null : `${inner.kind}, inside an IPv6 address`;
}

/**
 * `allowPrivate` of the http options: `true` lets every address through (a trusted network, a
 * test), a list of CIDRs lets those ranges through (`['127.0.0.1/32']` for a local service).
 */
export type AllowPrivate = boolean | readonly string[];

/**
 * The address check of one `httpActions` instance.
 *
 * @example
 * const policy = new AddressPolicy(['10.1.0.0/16']);
 * policy.check('10.1.2.3'); // null: allowed
 * policy.check('127.0.0.1'); // 'loopback'
 */
export class AddressPolicy {
  private readonly allowAll: boolean;
  private readonly allowed: readonly Range[];

  /** Throws a TypeError naming a malformed CIDR: a configuration error, found at start-up. */
  constructor(allowPrivate: AllowPrivate = false) {
    this.allowAll = allowPrivate === true;
    const list = Array.isArray(allowPrivate) ? allowPrivate : [];
    this.allowed = list.map((cidr, i) => {
      const r = typeof cidr === 'string' ? parseCidr(cidr.trim()) : 'not a string';
      if (typeof r === 'string') throw new TypeError(`http options allowPrivate[${i}]: ${r}`);
      return r;
    });
  }

  /**
   * null when a connection to the address is allowed; else what kind of address it is. An
   * address inside an IPv6 wrapper is also allowed when its IPv4 address is in an allowed range.
   */
  check(address: string): string | null {
    const bytes = addressBytes(address);
    if (bytes === null) return 'not an IP address';
    const kind = specialRange(bytes);
    if (kind === null || this.allowAll) return null;
    const v4 = embeddedIPv4(bytes);
    if (this.allowed.some((r) => contains(r, bytes) || (v4 !== null && contains(r, v4)))) return null;
    return kind;
  }
}
