/** `type: ldap` in the compiled JSON (part of the contract, src/config/compiled.ts). */
export interface CompiledLdapAugmenter {
  type: 'ldap'
  name: string
  realm: string
  /**
   * The directory as `authotron ldap-sync` last read it (docs/ldap.md); null when it has not
   * (plain `authotron compile`): the augmenter then adds no roles and says so in the error log.
   */
  snapshot: LdapSnapshot | null
}

/**
 * Users → roles, worked out by the sync from each user's `memberOf` group DNs with the DN rules of
 * §5.3 (src/augmenters/ldap/roles.ts), so that the request path only looks up. Roles are kept
 * per distinct group and users point at groups by index: users × groups small numbers, not
 * users × roles strings.
 */
export interface LdapSnapshot {
  /** When the directory was read (ISO 8601, UTC). */
  takenAt: string
  /** Every distinct group DN any user is a member of. */
  groups: string[]
  /** The roles each of `groups` gives, in rule order, without repeats. */
  groupRoles: string[][]
  /**
   * KEY_PREFIX + the user's `cn` as the directory compares it (ldapKey in runtime.ts) → indices
   * into `groups`, in the order the directory lists them.
   */
  members: { [prefixedKey: string]: number[] }
}
