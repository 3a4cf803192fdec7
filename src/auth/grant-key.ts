/**
 * The shared-dict key of a grant: a SHA-256 of the config id, the realm filter and the
 * Authorization header, never the raw credential, so a reload with another config never reuses an
 * answer and a grant for one realm filter is never served for another.
 */
import type { AuthInput } from './pipeline'

/** Names the entry format (grant-entry.ts): entries of another format, from before an upgrade
 * that kept the shared dict (a reload does), are never read. */
export const GRANT_KEY_PREFIX = 'grant2:'

export function grantKey(configId: string, input: AuthInput, sha256Base64url: (text: string) => string): string {
  // A realm header that is absent and one that is empty filter differently: keep them apart.
  const realmPart = input.realm === undefined ? '-' : '+' + input.realm
  return GRANT_KEY_PREFIX + sha256Base64url(configId + '\n' + realmPart + '\n' + (input.authorization || ''))
}
