/** Fetch counts of JWK Sets on njs 0.7.9, whose fetches follow the wall clock's epochs. */
import { jwksEpochSeconds, PREFETCH_MAX_MS } from '../../src/jwt/jwks-cache'
import { DEFAULT_JWKS_TTL_SECONDS } from '../../src/providers/jwt/schema'
import type { NginxServer } from '../nginx-harness/nginx'

/**
 * njs 0.7.9 (no shared dict) fetches the set once per epoch of the wall clock, and a share of the
 * requests in an epoch's last minute fetch the next epoch's set ahead (src/jwt/jwks-cache.ts): a
 * test that counts fetches must lie inside one epoch, outside that last part. Waits for the next
 * epoch when fewer than `needMs` are left before that part begins.
 */
export async function withinOneEpoch(nginx: NginxServer, needMs = 20000, ttlS = DEFAULT_JWKS_TTL_SECONDS) {
  if (nginx.leg.features.sharedDict) return
  const epochMs = jwksEpochSeconds(ttlS) * 1000
  const quietUntil = epochMs - Math.min(epochMs / 4, PREFETCH_MAX_MS)
  const intoEpoch = Date.now() % epochMs
  if (intoEpoch + needMs > quietUntil) await new Promise((resolve) => setTimeout(resolve, epochMs - intoEpoch + 1000))
}
