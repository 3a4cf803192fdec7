/**
 * §5.3's rules from a group DN to roles, exactly as the reference applies them (cases L1–L11 in
 * test/unit/augmenters/ldap/roles.test.ts). `authotron ldap-sync` applies them once per group
 * when it builds the snapshot (snapshot.ts), so the request path never parses a DN.
 */

/** A DN's `key=value` parts in DN order (leaf first), or a filter's in the order written. */
export type DnComponents = [key: string, value: string][]

export interface RoleRules {
  filter: string | null
  filters: string[] | null
}

/**
 * Split on every `,` (escaped commas are not special), each part at its first `=`; key and value
 * trimmed, a part with either empty dropped.
 */
export function dnComponents(text: string): DnComponents {
  const components: DnComponents = []
  for (const part of text.split(',')) {
    const equals = part.indexOf('=')
    if (equals === -1) continue
    const key = part.slice(0, equals).trim()
    const value = part.slice(equals + 1).trim()
    if (key !== '' && value !== '') components.push([key, value])
  }
  return components
}

/** The value of the first part whose key is exactly `CN`, untrimmed (upper case, no spaces). */
export function firstCn(dn: string): string | undefined {
  for (const part of dn.split(',')) {
    const equals = part.indexOf('=')
    if (equals !== -1 && part.slice(0, equals) === 'CN') return part.slice(equals + 1)
  }
  return undefined
}

/** A filter of `filters` with no `key=value` part: the reference fails every lookup with it. */
export function isInvalidFilter(filter: string): boolean {
  return dnComponents(filter).length === 0
}

/** The roles one group DN gives: none without a `CN=` part; then `filters`, else `filter`, else cn. */
export function rolesOfGroup(dn: string, rules: RoleRules): string[] {
  const cn = firstCn(dn)
  if (cn === undefined) return []
  if (rules.filters !== null) {
    const components = dnComponents(dn)
    const roles: string[] = []
    for (const filter of rules.filters) {
      const path = filterPath(components, dnComponents(filter))
      if (path !== undefined) roles.push(path)
    }
    return roles
  }
  if (rules.filter === null || dn.includes(rules.filter)) return [cn]
  return []
}

/**
 * The filter as written, then reversed, slid over the DN from the leaf; at the first window whose
 * keys and values all equal the filter's (ASCII case-insensitively), the values from the window's
 * most ancestral part down to the leaf, joined with `/` and led by one.
 */
function filterPath(dn: DnComponents, filter: DnComponents): string | undefined {
  if (filter.length === 0) return undefined
  for (const oriented of [filter, [...filter].reverse()]) {
    for (let start = 0; start + oriented.length <= dn.length; start++) {
      if (oriented.every(([key, value], i) => sameAscii(dn[start + i][0], key) && sameAscii(dn[start + i][1], value))) {
        const end = start + oriented.length - 1
        return '/' + dn.slice(0, end + 1).map(([, value]) => value).reverse().join('/')
      }
    }
  }
  return undefined
}

function sameAscii(a: string, b: string): boolean {
  return a.length === b.length && asciiLower(a) === asciiLower(b)
}

function asciiLower(text: string): string {
  return text.replace(/[A-Z]/g, (letter) => letter.toLowerCase())
}
