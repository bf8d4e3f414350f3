import { rootCertificates } from 'node:tls';
import { aliceVersion } from '../../compiler/version.js';
import { durationMs, type RetryPolicy } from '../../runtime/index.js';
import { AddressPolicy, type AllowPrivate } from './address.js';

/**
 * Configuration of `http.request`, chosen by whoever runs the engine (not by workflows).
 *
 * @example
 * httpActions(env, { allowPrivate: ['10.20.0.0/16'], maxBytes: 512 * 1024, maxTimeout: '1m' });
 */
export interface HttpOptions {
  /**
   * Private, loopback, link-local and other non-public addresses are refused unless allowed
   * here: `true` for all of them, or a list of CIDR ranges (`['127.0.0.1/32', '10.0.0.0/8']`).
   * Default: none.
   */
  allowPrivate?: AllowPrivate;
  /** The timeout of a call that names none (ms or a duration string). Default `'30s'`. */
  timeout?: number | string;
  /** The longest timeout a call may ask for. Default `'2m'`. */
  maxTimeout?: number | string;
  /** The longest a TCP connection may take to open (within the call's timeout). Default `'10s'`. */
  connectTimeout?: number | string;
  /**
   * The largest response body (decoded bytes) a call may ask for, and the limit of a call that
   * names none. Default 256 KiB. The whole result also passes the engine's bridge limit
   * (`limits.bridgeBytes`, 1 MiB by default), and a JSON body counts twice (as `body` and `json`).
   */
  maxBytes?: number;
  /** How transient faults (connection, timeout, 429/502/503/504) are retried. */
  retry?: Partial<RetryPolicy>;
  /** The `User-Agent` sent when the workflow sets none. Default `alice/<version>`. */
  userAgent?: string;
  /**
   * PEM certificates of private certificate authorities to trust for https, besides Node's
   * bundled roots (an internal CA). Default: the bundled roots only.
   */
  ca?: string | readonly string[];
}

/** The options with their defaults, checked once when the catalog is built. */
export interface HttpSettings {
  readonly addresses: AddressPolicy;
  readonly timeoutMs: number;
  readonly maxTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly maxBytes: number;
  readonly retry: Partial<RetryPolicy>;
  readonly userAgent: string;
  /** The trusted roots for https, or null for Node's default. */
  readonly ca: readonly string[] | null;
}

export const defaultMaxBytes = 256 * 1024;

/**
 * Retry soon (a busy server often recovers within seconds) and give up within a few minutes,
 * so a workflow learns of an outage rather than waiting on it for hours.
 */
const httpRetry: Partial<RetryPolicy> = { maxAttempts: 5, initialDelay: '1s', backoff: 3, maxDelay: '1m' };

/** Throws a TypeError that names the bad option: configuration errors show at start-up. */
export function resolveOptions(options: HttpOptions = {}): HttpSettings {
  const ms = (name: keyof HttpOptions, value: number | string): number => {
    let n: number;
    try {
      n = durationMs(value);
    } catch (err) {
      throw new TypeError(`http options ${name}: ${(err as Error).message}`);
    }
    if (!(n > 0)) throw new TypeError(`http options ${name} must be longer than 0`);
    return n;
  };
  const maxTimeoutMs = ms('maxTimeout', options.maxTimeout ?? '2m');
  const timeoutMs = Math.min(ms('timeout', options.timeout ?? '30s'), maxTimeoutMs);
  const maxBytes = options.maxBytes ?? defaultMaxBytes;
  if (!Number.isInteger(maxBytes) || maxBytes < 1) throw new TypeError(`http options maxBytes must be a positive integer, got ${String(maxBytes)}`);
  const userAgent = options.userAgent ?? `alice/${aliceVersion()}`;
  if (!/^[\t\x20-\x7e]+$/.test(userAgent)) throw new TypeError('http options userAgent must be printable ASCII');
  const extraCa = options.ca === undefined ? [] : typeof options.ca === 'string' ? [options.ca] : [...options.ca];
  if (!extraCa.every((c) => typeof c === 'string' && c.includes('-----BEGIN CERTIFICATE-----'))) throw new TypeError('http options ca must be PEM certificates (-----BEGIN CERTIFICATE-----)');
  return {
    addresses: new AddressPolicy(options.allowPrivate ?? false),
    timeoutMs,
    maxTimeoutMs,
    connectTimeoutMs: ms('connectTimeout', options.connectTimeout ?? '10s'),
    maxBytes,
    retry: { ...httpRetry, ...(options.retry ?? {}) },
    userAgent,
    // Node's `ca` replaces the bundled roots; an internal CA is trusted besides them.
    ca: extraCa.length === 0 ? null : [...rootCertificates, ...extraCa],
  };
}
