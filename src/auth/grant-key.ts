/**
 * The shared-dict key of a grant: a SHA-256 of the config id, the realm filter and the
 * Authorization header, followed by the location's access rule, never the raw credential, so a reload with another
 * config never reuses an answer and a grant for one realm filter is never served for another.
 *
 * The access rule (`$authotron_require`, src/rules/access-rule.ts) is part of the key: every tier
 * stores a grant under a rule only once that rule has let the grant's user in, so a hit under the
 * key is that same rule's decision on that same user (same credential, same config, within the
 * entry's lifetime) and costs no second evaluation. A grant cached for a location without a rule,
 * or with another one, is under another key and never opens this one. Without a rule the key is
 * what it was before rules existed. The hit path and the full
 * path both derive it here (build.mjs inlines it into the hit path, see grant-entry.ts).
 */
/** Names the entry format (grant-entry.ts): entries of another format, from before an upgrade
 * that kept the shared dict (a reload does), are never read. */
export const GRANT_KEY_PREFIX = 'grant2:'

/**
 * `rule` is the location's access rule ('' or undefined: none), `realm` the first X-Auth-Realm line
 * as received, `authorization` the Authorization header.
 */
/* @inline */
export function grantKey(
  configId: string,
  rule: string | undefined,
  realm: string | undefined,
  authorization: string,
  sha256Base64url: (text: string) => string,
): string {
  // A realm header that is absent and one that is empty filter differently: keep them apart.
  const realmPart = realm === undefined ? '\n-\n' : '\n+' + realm + '\n'
  // The rule after the digest, not in it: the digest has a fixed length, so the rule part reads
  // back one way only, and a key with a rule never meets one without. Outside the digest it costs
  // one concatenation; inside, a SHA-256 block more per hit (sid-qjs ~4k instructions) and a length
  // prefix (trixie ~1k) (docs/benchmarks.md, basic-rule). The rule is the operator's nginx.conf
  // text, no secret.
  const digest = sha256Base64url(configId + realmPart + authorization)
  return rule ? GRANT_KEY_PREFIX + digest + ' ' + rule : GRANT_KEY_PREFIX + digest
}
