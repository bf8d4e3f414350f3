import type { ActionDefinition } from '../../runtime/index.js';
import type { StdlibEnv } from '../env.js';
import { HttpCache } from './cache.js';
import { resolveOptions, type HttpOptions } from './options.js';
import httpRequest from './request.js';

export { AddressPolicy } from './address.js';
export type { AllowPrivate } from './address.js';
export { HttpCache } from './cache.js';
export { maxRedirects } from './client.js';
export type { HttpResult } from './client.js';
export { defaultMaxBytes } from './options.js';
export type { HttpOptions } from './options.js';
export type { HttpRequestArgs } from './request.js';

/**
 * `http.request`: HTTP(S) to the hosts a workflow's manifest lists, at public addresses only
 * (unless `options.allowPrivate`), with timeouts, a body size limit, redirects re-checked hop by
 * hop, the step's idempotency key as `Idempotency-Key`, and a response cache in the engine's
 * SQLite file that a re-executed step answers from. Options are checked here: a bad one throws.
 *
 * @example
 * const engine = openEngine({ store, actions: httpActions({ store, tenants: anyTenant, now: Date.now }, { allowPrivate: ['127.0.0.1/32'] }) });
 */
export function httpActions(env: StdlibEnv, options?: HttpOptions): ActionDefinition[] {
  const settings = resolveOptions(options);
  // `now` is optional in StdlibEnv: the system clock when the engine's is not given.
  return [httpRequest(settings, new HttpCache(env.store), env.tenants, () => env.now?.() ?? Date.now())];
}
