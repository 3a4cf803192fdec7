/**
 * The brute-force lockout (src/auth/lockout.ts) at the boundary: the zone, the client's address
 * (`r.remoteAddress`: the connection's, or what the realip module made of it with
 * `set_real_ip_from`), and the error log line when a pair is locked.
 */
import type { CompiledConfig } from '../config/compiled'
import { CounterStore, LOCKOUT_ZONE, lockoutVerdict, LockoutVerdict, recordFailure } from '../auth/lockout'
import { sha256Base64url } from './hash'

/** Run before every tier (index.ts) and by /whoami: see LockoutVerdict. */
export function lockoutVerdictOf(r: NginxHTTPRequest, config: CompiledConfig): LockoutVerdict | undefined {
  return lockoutVerdict(lockoutStore(), config.lockout!, r.remoteAddress, r.headersIn['Authorization'], sha256Base64url, config.maxBasicLength)
}

/** After a failed authentication (ERR_ALL_FAILED): counts it, and logs when it locks the pair. */
export function countFailure(r: NginxHTTPRequest, config: CompiledConfig): void {
  const store = lockoutStore()
  if (store === undefined) return
  let locked = false
  try {
    locked = recordFailure(store, config.lockout!, r.remoteAddress, r.headersIn['Authorization'], sha256Base64url, config.maxBasicLength)
  } catch (e) {
    // A zone that refuses the entry (full) only loses the count.
  }
  // The address, never the username (the zone keeps neither in the clear).
  if (locked) r.warn('authotron: auth.lockout.engaged address=' + JSON.stringify(r.remoteAddress) + ' duration_ms=' + config.lockout!.durationMs)
}

/** After a success of a pair with failures below the threshold: they are forgotten. */
export function clearFailures(key: string): void {
  const store = lockoutStore()
  if (store !== undefined) store.delete(key)
}

function lockoutStore(): CounterStore | undefined {
  const shared = typeof ngx !== 'undefined' ? (ngx as any).shared : undefined
  return shared !== undefined ? shared[LOCKOUT_ZONE] : undefined
}
