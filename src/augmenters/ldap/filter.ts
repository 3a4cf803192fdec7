/**
 * LDAP search filters (RFC 4515). The reference put the username into `(cn=…)` unescaped, so a
 * name such as `*` matched every person; every value here is escaped.
 */

/** `*`, `(`, `)`, `\` and NUL as `\2a`, `\28`, `\29`, `\5c`, `\00` (RFC 4515 §3). */
export function escapeFilterValue(value: string): string {
  return value.replace(/[*()\\\u0000]/g, (c) => '\\' + c.charCodeAt(0).toString(16).padStart(2, '0'))
}

/** The people of the directory that have groups: what one snapshot reads. */
export const SNAPSHOT_FILTER = '(&(objectClass=person)(memberOf=*))'

/** The reference's search for one user, escaped: `authotron ldap-sync --user NAME`. */
export function userFilter(username: string): string {
  return `(&(objectClass=person)(cn=${escapeFilterValue(username)}))`
}
