/**
 * Reads the people of one ldap augmenter's directory for `authotron ldap-sync`: a simple bind with
 * bind_dn and ldap_password, then one paged subtree search of search_base for the people that
 * have groups, asking for `cn` and `memberOf`. ldap://, ldaps:// (system trust, plus
 * NODE_EXTRA_CA_CERTS) and ldapi:// (a unix socket). Every operation is bounded by `timeoutMs`.
 */
import { connect } from 'node:net'
import { Client } from 'ldapts'
import type { LdapDirectoryConfig } from '../augmenters/ldap/compile'
import { SNAPSHOT_FILTER, userFilter } from '../augmenters/ldap/filter'
import type { DirectoryPerson } from '../augmenters/ldap/snapshot'
import { codedError, ErrorCode } from '../errors'

/** Entries per page: under the usual server size limits (slapd 500, Active Directory 1000). */
export const PAGE_SIZE = 200

/** Every person of the directory with a `memberOf`; or, with `username`, the reference's search for that one user. */
export async function readPeople(directory: LdapDirectoryConfig, timeoutMs: number, username?: string): Promise<DirectoryPerson[]> {
  if (directory.bindDn === null) {
    throw codedError(ErrorCode.LdapUnavailable, 'No bind DN provided for LDAP augmenter.')
  }
  const client = new Client({ ...connection(directory.uri), timeout: timeoutMs, connectTimeout: timeoutMs })
  try {
    await client.bind(directory.bindDn, directory.password)
    const { searchEntries } = await client.search(directory.searchBase, {
      scope: 'sub',
      filter: username === undefined ? SNAPSHOT_FILTER : userFilter(username),
      attributes: ['cn', 'memberOf'],
      paged: { pageSize: PAGE_SIZE },
      timeLimit: Math.ceil(timeoutMs / 1000),
    })
    return searchEntries.map((entry) => ({
      dn: entry.dn,
      cn: values(entry.cn),
      // The attribute as the server names it, case-sensitively (§5.3).
      memberOf: values(entry.memberOf),
    }))
  } catch (error) {
    // ldapts's messages name the operation and the server's answer, never the password.
    throw codedError(ErrorCode.LdapUnavailable, error instanceof Error ? error.message : String(error))
  } finally {
    await client.unbind().catch(() => undefined)
  }
}

function values(value: unknown): string[] {
  if (value === undefined) return []
  return (Array.isArray(value) ? value : [value]).map((v) => (Buffer.isBuffer(v) ? v.toString('utf8') : String(v)))
}

/** ldapi://<percent-encoded socket path> becomes a unix-socket connection. */
function connection(uri: string): { url: string; createConnection?: () => ReturnType<typeof connect> } {
  if (!uri.startsWith('ldapi://')) return { url: uri }
  const encoded = uri.slice('ldapi://'.length).replace(/\/$/, '')
  const socket = encoded === '' ? '/var/run/slapd/ldapi' : decodeURIComponent(encoded)
  return { url: 'ldap://localhost', createConnection: () => connect(socket) }
}
