/**
 * A directory's people → the snapshot compiled into the config (compiled.ts): every group DN once,
 * its roles by the DN rules once, each user's groups as indices. Entries sharing a `cn` (the
 * reference's search returned them all) have their groups joined; an entry with several `cn`
 * values is found under each, as `(cn=<name>)` found it.
 */
import { KEY_PREFIX } from '../../config/compiled'
import { setOwn } from '../../compiler/paths'
import type { LdapSnapshot } from './compiled'
import { RoleRules, rolesOfGroup } from './roles'
import { ldapKey } from './runtime'

/** One person as the directory returned it: its `cn` values and `memberOf` values. */
export interface DirectoryPerson {
  dn: string
  cn: string[]
  memberOf: string[]
}

export function buildSnapshot(people: DirectoryPerson[], rules: RoleRules, takenAt: Date): LdapSnapshot {
  const groups: string[] = []
  const groupRoles: string[][] = []
  const indexOfGroup = new Map<string, number>()
  const members: { [prefixedKey: string]: number[] } = {}
  // In DN order, so that the same directory always gives the same snapshot (sameDirectory).
  const sorted = [...people].sort((a, b) => (a.dn < b.dn ? -1 : a.dn > b.dn ? 1 : 0))
  for (const person of sorted) {
    for (const name of new Set(person.cn.map(ldapKey))) {
      const key = KEY_PREFIX + name
      if (!Object.hasOwn(members, key)) setOwn(members, key, [])
      for (const dn of person.memberOf) {
        let index = indexOfGroup.get(dn)
        if (index === undefined) {
          index = groups.length
          indexOfGroup.set(dn, index)
          groups.push(dn)
          groupRoles.push([...new Set(rolesOfGroup(dn, rules))])
        }
        if (!members[key].includes(index)) members[key].push(index)
      }
    }
  }
  return { takenAt: takenAt.toISOString(), groups, groupRoles, members }
}

/** Whether two snapshots give the same roles to the same users (their times aside). */
export function sameDirectory(a: LdapSnapshot | null, b: LdapSnapshot | null): boolean {
  if (a === null || b === null) return a === b
  return JSON.stringify({ ...a, takenAt: '' }) === JSON.stringify({ ...b, takenAt: '' })
}
