/**
 * `type: ldap`, §5.3, from the snapshot `authotron ldap-sync` embeds in the compiled config
 * (docs/ldap.md): no request waits for the directory. The user's roles were worked out per group
 * at sync time; here they are looked up by the user's name and appended, each once (§3.6's
 * plain_advanced rule, where the reference would repeat them).
 */
import type { CompiledLdapAugmenter } from './compiled'
import { KEY_PREFIX } from '../../config/compiled'
import { codedError, ErrorCode } from '../../errors'
import { contains } from '../../preloaded'
import type { User } from '../../user'
import type { AugmenterModule } from '../types'

export const ldapAugmenter: AugmenterModule<CompiledLdapAugmenter> = {
  augment(augmenter: CompiledLdapAugmenter, user: User) {
    if (augmenter.realm !== user.realm) {
      throw codedError(
        ErrorCode.AugmenterRealm,
        `Attempted to augment user in the wrong realm. Expected '${augmenter.realm}', got '${user.realm}'`,
      )
    }
    const snapshot = augmenter.snapshot
    if (snapshot === null) {
      throw codedError(
        ErrorCode.LdapNoSnapshot,
        'no directory snapshot in the compiled config yet (run `authotron ldap-sync`); no LDAP roles',
      )
    }
    // Prefixed keys name no built-in property, so a plain index is an own-key lookup.
    const groups = snapshot.members[KEY_PREFIX + ldapKey(user.username)]
    if (groups === undefined) return
    for (let i = 0; i < groups.length; i++) {
      const roles = snapshot.groupRoles[groups[i]]
      for (let j = 0; j < roles.length; j++) {
        if (!contains(user.roles, roles[j])) user.roles.push(roles[j])
      }
    }
  },
}

/**
 * A name as the directory compares `cn` values (caseIgnoreMatch, RFC 4518): letters folded to
 * lower case, leading and trailing spaces dropped, inner runs of spaces made one. The reference's
 * search `(cn=<username>)` matched that way; the snapshot is keyed the same way.
 */
export function ldapKey(name: string): string {
  const lower = name.toLowerCase()
  return lower.indexOf(' ') === -1 ? lower : lower.replace(/ +/g, ' ').trim()
}
