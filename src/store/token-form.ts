/**
 * The form of a stored token, apart from the rest of the store (src/store/tokens.ts) because the
 * grant path (src/auth/grant.ts) asks it on every request of a config with a token store.
 */

/** A token as GET /token makes it: a UUID v4, as the reference's (§9.2), lower case. */
const TOKEN_FORM = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
/**
 * Whether a Bearer credential can be a stored token. Anything else (a JWT, an API key) is refused
 * without asking the store, so other Bearer providers' requests cost the store nothing.
 */
export function looksLikeStoreToken(credential: string): boolean {
  return credential.length === 36 && TOKEN_FORM.test(credential)
}

/**
 * Whether an Authorization header may carry a stored token: the grant cache never keeps the answer
 * to such a header (src/auth/grant.ts), so that a deleted token is refused on its next use, on
 * every node sharing the store.
 */
const BEARER_UUID = /(?:^|,)\s*bearer\s+[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\s*(?:,|$)/i
export function mayCarryStoreToken(authorization: string): boolean {
  return BEARER_UUID.test(authorization)
}

