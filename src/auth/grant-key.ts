/**
 * The shared-dict key of a grant: a SHA-256 of the config id, the realm filter and the
 * Authorization header, never the raw credential, so a reload with another config never reuses an
 * answer and a grant for one realm filter is never served for another. The hit path and the full
 * path both derive it here (build.mjs inlines it into the hit path, see grant-entry.ts).
 */
/** Names the entry format (grant-entry.ts): entries of another format, from before an upgrade
 * that kept the shared dict (a reload does), are never read. */
export const GRANT_KEY_PREFIX = 'grant2:'

/** `realm` is the first X-Auth-Realm line as received, `authorization` the Authorization header. */
/* @inline */
export function grantKey(
  configId: string,
  realm: string | undefined,
  authorization: string,
  sha256Base64url: (text: string) => string,
): string {
  // A realm header that is absent and one that is empty filter differently: keep them apart.
  const realmPart = realm === undefined ? '\n-\n' : '\n+' + realm + '\n'
  return GRANT_KEY_PREFIX + sha256Base64url(configId + realmPart + authorization)
}
