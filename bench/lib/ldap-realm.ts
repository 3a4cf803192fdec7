/**
 * The bench's LDAP realm (issue 16): a second plain provider whose realm has an `ldap` augmenter,
 * with a directory snapshot built in-process as `authotron ldap-sync` would embed it, so that
 * `basic-ldap` measures the same Basic authentication as `basic` with LDAP roles added. No
 * directory is needed to measure the request path (docs/ldap.md, "Cost").
 */
import { chmodSync, chownSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml'
import { buildSnapshot, type DirectoryPerson } from '../../src/augmenters/ldap/snapshot'
import { compileConfig as compileInProcess } from '../../src/compiler/compile'

export const LDAP_USER = 'bench-ldap'
export const LDAP_PASSWORD = 'bench-password'
export const LDAP_REALM = 'ldaprealm'
/** Directory users in the snapshot besides the measured one (each in 20 groups). */
const DIRECTORY_USERS = 1000

/** The bench YAML with the LDAP realm added: a plain provider for LDAP_USER and its ldap augmenter. */
export function withLdapRealm(yamlText: string): string {
  const doc = parseYaml(yamlText) as { providers: unknown[]; augmenters?: unknown[] }
  doc.providers.push({
    name: 'ldap-local',
    type: 'plain',
    realm: LDAP_REALM,
    users: [{ username: LDAP_USER, password: LDAP_PASSWORD, roles: ['reader'] }],
  })
  doc.augmenters = [
    ...(doc.augmenters ?? []),
    {
      name: 'bench-directory',
      type: 'ldap',
      realm: LDAP_REALM,
      uri: 'ldap://127.0.0.1:9',
      search_base: 'dc=example,dc=com',
      bind_dn: 'cn=sync,dc=example,dc=com',
      ldap_password: 'unused',
      filters: ['OU=Teams', 'OU=Ops'],
    },
  ]
  return stringifyYaml(doc)
}

/**
 * Compiles `yamlPath` (written by withLdapRealm) again in-process with a snapshot for its ldap
 * augmenter and writes the result over `target`, keeping the file's mode and owner: the measured
 * user is in 2 groups (4 roles with the two filters), DIRECTORY_USERS others in 20.
 */
export function embedLdapSnapshot(yamlPath: string, target: string, cwd: string): void {
  const doc = parseYaml(readFileSync(yamlPath, 'utf8')) as { augmenters: { type: string }[] }
  const index = doc.augmenters.findIndex((augmenter) => augmenter.type === 'ldap')
  const people: DirectoryPerson[] = [LDAP_USER, ...Array.from({ length: DIRECTORY_USERS }, (_, i) => `user${i}`)].map(
    (name, i) => ({
      dn: `cn=${name},ou=people,dc=example,dc=com`,
      cn: [name],
      memberOf: Array.from({ length: i === 0 ? 2 : 20 }, (_, g) => `CN=group${(i + g * 7) % 400},OU=Ops,OU=Teams,DC=example,DC=com`),
    }),
  )
  const snapshot = buildSnapshot(people, { filter: null, filters: ['OU=Teams', 'OU=Ops'] }, new Date())
  const result = compileInProcess({ path: yamlPath, env: {}, cwd, augmenterInputs: new Map([[index, snapshot]]) })
  if (result.config === undefined) throw new Error(`bench: the LDAP realm's config: ${result.errors.join('\n')}`)
  const { mode, uid, gid } = statSync(target)
  writeFileSync(target, JSON.stringify(result.config))
  chmodSync(target, mode & 0o777)
  if (process.getuid?.() === 0) chownSync(target, uid, gid)
}

