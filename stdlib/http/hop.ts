import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { pipeline, type Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { ActionFailure } from '../../runtime/index.js';
import { StdCodes } from '../codes.js';

/** One HTTP exchange on one connection to addresses that were checked beforehand. */
export interface HopRequest {
  readonly url: URL;
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer | null;
  /** The checked addresses of the URL's host: the connection may use these and no other. */
  readonly addresses: readonly LookupAddress[];
  /** Aborts the exchange (the call's total timeout). */
  readonly signal: AbortSignal;
  readonly connectTimeoutMs: number;
  /** Trusted roots for https; null = Node's bundled roots. */
  readonly ca: readonly string[] | null;
}

/** The status line and headers; the body is read (or discarded) by the caller. */
export interface HopResponse {
  readonly status: number;
  readonly statusText: string;
  readonly headers: Readonly<Record<string, string[]>>;
  /** The decoded body, refused past `maxBytes` bytes with `ALICE_HTTP_TOO_LARGE`. */
  read(maxBytes: number): Promise<Buffer>;
  /** Drops the body and the connection (a redirect's body is not read). */
  discard(): void;
}

/**
 * A DNS lookup that answers with the addresses already checked, so the connection goes where
 * the check looked: a name that resolves elsewhere a moment later (DNS rebinding) cannot
 * redirect it. Node asks with `all: true` when it tries several addresses (happy eyeballs).
 */
function pinnedLookup(addresses: readonly LookupAddress[]): LookupFunction {
  return (hostname, options, callback) => {
    const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
    const usable = family === 4 || family === 6 ? addresses.filter((a) => a.family === family) : [...addresses];
    if (usable.length === 0) {
      const err: NodeJS.ErrnoException = new Error(`${hostname}: no checked address of family ${String(family)}`);
      err.code = 'ENOTFOUND';
      callback(err, '', 0);
    } else if (options.all) {
      (callback as unknown as (err: null, list: LookupAddress[]) => void)(null, usable);
    } else {
      callback(null, usable[0].address, usable[0].family);
    }
  };
}

/**
 * Sends one request and resolves when the status line and headers arrive. Connection errors
 * reject with the Node error (its `code` says what happened); the caller classifies them.
 */
export function sendHop(req: HopRequest): Promise<HopResponse> {
  return new Promise<HopResponse>((resolve, reject) => {
    const send = req.url.protocol === 'https:' ? httpsRequest : httpRequest;
    const r = send(req.url, {
      method: req.method,
      headers: req.headers,
      lookup: pinnedLookup(req.addresses),
      // No shared pool: a pooled socket could belong to another (differently checked) request.
      agent: false,
      signal: req.signal,
      ...(req.ca === null ? {} : { ca: [...req.ca] }),
    });
    let connectTimer: NodeJS.Timeout | null = null;
    const stopConnectTimer = () => {
      if (connectTimer !== null) clearTimeout(connectTimer);
      connectTimer = null;
    };
    r.once('socket', (socket) => {
      if (!socket.connecting) return;
      connectTimer = setTimeout(() => {
        const err: NodeJS.ErrnoException = new Error(`could not connect within ${req.connectTimeoutMs} ms`);
        err.code = 'ALICE_CONNECT_TIMEOUT';
        r.destroy(err);
      }, req.connectTimeoutMs);
      socket.once('connect', stopConnectTimer);
    });
    // `on`, not `once`: an abort after the response arrived errors the request again, and an
    // 'error' without a listener would crash the process. Rejecting twice is harmless.
    r.on('error', (err) => {
      stopConnectTimer();
      reject(err);
    });
    r.once('response', (res: IncomingMessage) => {
      stopConnectTimer();
      resolve({
        status: res.statusCode ?? 0,
        statusText: res.statusMessage ?? '',
        headers: distinct(res),
        read: (maxBytes) => readBody(res, res.headers['content-encoding'], maxBytes),
        discard: () => {
          res.destroy();
          r.destroy();
        },
      });
    });
    r.end(req.body ?? undefined);
  });
}

/** Every header with all its values (Node joins some repeated headers and drops others). */
function distinct(res: IncomingMessage): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(res.headersDistinct)) if (values !== undefined) out[name] = values;
  return out;
}

function tooLarge(maxBytes: number, what: string): ActionFailure {
  return new ActionFailure(
    StdCodes.HTTP_TOO_LARGE,
    `the response body ${what} the ${maxBytes}-byte limit; pass a larger maxBytes (up to the configured maximum) or ask the server for less (a range, a page, a filter)`,
    { details: { maxBytes } },
  );
}

/** Reads the body, decoding gzip, deflate and br; the limit counts decoded bytes. */
async function readBody(res: IncomingMessage, encoding: string | undefined, maxBytes: number): Promise<Buffer> {
  const declared = Number(res.headers['content-length']);
  const enc = (encoding ?? 'identity').trim().toLowerCase();
  if ((enc === 'identity' || enc === '') && Number.isFinite(declared) && declared > maxBytes) {
    res.destroy();
    throw tooLarge(maxBytes, `is ${declared} bytes (Content-Length), over`);
  }
  const decoder = enc === 'gzip' || enc === 'x-gzip' ? createGunzip() : enc === 'deflate' ? createInflate() : enc === 'br' ? createBrotliDecompress() : null;
  // pipeline destroys every stream when one fails, so a reset connection ends the iteration too.
  const stream: Readable = decoder === null ? res : pipeline(res, decoder, () => undefined);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > maxBytes) {
      // Stop reading at once: a body without a Content-Length may be endless.
      stream.destroy();
      res.destroy();
      throw tooLarge(maxBytes, 'is over');
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}
