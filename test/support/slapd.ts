/**
 * A real OpenLDAP server (Debian's `slapd`) for the ldap tests: a temp folder with a generated
 * slapd.conf (an mdb database, `memberOf` as a literal attribute of people, so a test sets a
 * user's groups directly, with ldapmodify), populated with slapadd before it starts, listening on a free loopback
 * port and on a unix socket (ldapi). `stop()` and `start()` again keep the data: the outage tests.
 * Needs slapd and ldap-utils (test/runtimes/install-debian.sh).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Client } from 'ldapts'
import { freePort } from '../nginx-harness/net'
import { delay, startProcess, type ManagedProcess } from '../nginx-harness/processes'

export const SLAPD = '/usr/sbin/slapd'
export const BASE_DN = 'dc=example,dc=com'
export const ADMIN_DN = `cn=admin,${BASE_DN}`
export const ADMIN_PASSWORD = 'admin-secret'

export interface Person {
  cn: string
  /** Where under BASE_DN (default `ou=people`). */
  ou?: string
  memberOf: string[]
}

export interface Slapd {
  /** `ldap://127.0.0.1:<port>` */
  uri: string
  /** `ldapi://<socket path, percent-encoded>` */
  ldapiUri: string
  /** With `tls`: `ldaps://127.0.0.1:<port>`, and the CA file that signs its certificate. */
  ldapsUri?: string
  caFile?: string
  dnOf(person: Person): string
  setGroups(person: Person, memberOf: string[]): Promise<void>
  stop(): Promise<void>
  start(): Promise<void>
  /** Stops it and removes its folder. */
  dispose(): Promise<void>
}

export function slapdAvailable(): string | undefined {
  return existsSync(SLAPD) ? undefined : `${SLAPD} missing: run test/runtimes/install-debian.sh slapd ldap-utils`
}

/**
 * `memberOf` as text (Directory String), not DN syntax: slapd rewrites DN values written over LDAP
 * with lower-case attribute names (`CN=x` → `cn=x`), and §5.3's rules want `CN` as Active
 * Directory, the reference's directory, returns it. As text, the value is kept as written.
 */
const SCHEMA = `
attributetype ( 1.2.840.113556.1.2.102 NAME 'memberOf'
  EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 )
`

export async function startSlapd(
  people: Person[],
  groupOus: string[] = [],
  options: { ldapiSocket?: string; tls?: boolean } = {},
): Promise<Slapd> {
  const dir = mkdtempSync(join(tmpdir(), 'aot-slapd-'))
  mkdirSync(join(dir, 'db'))
  writeFileSync(join(dir, 'memberof.schema'), SCHEMA)
  const conf = join(dir, 'slapd.conf')
  const tls = options.tls === true ? selfSignedCertificate(dir) : undefined
  writeFileSync(
    conf,
    [
      'include /etc/ldap/schema/core.schema',
      'include /etc/ldap/schema/cosine.schema',
      'include /etc/ldap/schema/inetorgperson.schema',
      `include ${join(dir, 'memberof.schema')}`,
      `pidfile ${join(dir, 'slapd.pid')}`,
      `argsfile ${join(dir, 'slapd.args')}`,
      ...(tls === undefined ? [] : [`TLSCertificateFile ${tls.cert}`, `TLSCertificateKeyFile ${tls.key}`]),
      'modulepath /usr/lib/ldap',
      'moduleload back_mdb',
      'sizelimit 5',
      'database mdb',
      'maxsize 10485760',
      `suffix "${BASE_DN}"`,
      `rootdn "${ADMIN_DN}"`,
      `rootpw ${ADMIN_PASSWORD}`,
      `directory ${join(dir, 'db')}`,
      '',
    ].join('\n'),
  )
  const dnOf = (person: Person) => `cn=${escapeDnValue(person.cn)},${person.ou ?? 'ou=people'},${BASE_DN}`
  const ous = ['ou=people', ...groupOus]
  const ldif = [
    `dn: ${BASE_DN}\nobjectClass: dcObject\nobjectClass: organization\no: example\ndc: example\n`,
    ...ous.map((ou) => `dn: ${ou},${BASE_DN}\nobjectClass: organizationalUnit\n${ou.split(',')[0].replace('=', ': ')}\n`),
    ...people.map(personLdif),
  ].join('\n')
  writeFileSync(join(dir, 'data.ldif'), ldif)
  execFileSync('/usr/sbin/slapadd', ['-f', conf, '-l', join(dir, 'data.ldif')], { stdio: 'pipe' })

  const port = await freePort()
  const socket = options.ldapiSocket ?? join(dir, 'ldapi.sock')
  const uri = `ldap://127.0.0.1:${port}`
  const ldapiUri = `ldapi://${encodeURIComponent(socket)}`
  const ldapsUri = tls === undefined ? undefined : `ldaps://127.0.0.1:${await freePort()}`
  let server: ManagedProcess | undefined

  function personLdif(person: Person): string {
    return [
      `dn: ${dnOf(person)}`,
      'objectClass: inetOrgPerson',
      'objectClass: extensibleObject',
      `cn: ${person.cn}`,
      'sn: test',
      ...person.memberOf.map((group) => `memberOf: ${group}`),
      '',
    ].join('\n')
  }

  async function withAdmin(action: (client: Client) => Promise<void>): Promise<void> {
    const client = new Client({ url: uri, timeout: 5000, connectTimeout: 5000 })
    try {
      await client.bind(ADMIN_DN, ADMIN_PASSWORD)
      await action(client)
    } finally {
      await client.unbind()
    }
  }

  const slapd: Slapd = {
    uri,
    ldapiUri,
    ldapsUri,
    caFile: tls?.cert,
    dnOf,
    async setGroups(person, memberOf) {
      const ldif = [`dn: ${dnOf(person)}`, 'changetype: modify', 'replace: memberOf', ...memberOf.map((g) => `memberOf: ${g}`), ''].join('\n')
      execFileSync('/usr/bin/ldapmodify', ['-x', '-H', uri, '-D', ADMIN_DN, '-w', ADMIN_PASSWORD], { input: ldif, stdio: 'pipe' })
    },
    async start() {
      if (server !== undefined && !server.hasExited()) return
      server = startProcess('slapd', SLAPD, ['-d', '0', '-f', conf, '-h', [uri, ldapiUri, ldapsUri].filter(Boolean).map((u) => `${u}/`).join(' ')])
      const deadline = Date.now() + 10_000
      for (;;) {
        try {
          await withAdmin(async () => {})
          return
        } catch (error) {
          if (server.hasExited() || Date.now() > deadline) {
            throw new Error(`slapd did not start (${server.exitStatus() ?? 'still running'}): ${server.output()}`)
          }
          await delay(50)
        }
      }
    },
    async stop() {
      await server?.stop('SIGTERM', 5000)
    },
    async dispose() {
      await slapd.stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
  await slapd.start()
  return slapd
}

/** RFC 4514: a value inside a DN. */
function escapeDnValue(value: string): string {
  return value.replace(/[,+"\\<>;=]/g, (c) => '\\' + c).replace(/^[ #]| $/g, (c) => '\\' + c)
}

/** A self-signed certificate for 127.0.0.1 (it is its own CA: NODE_EXTRA_CA_CERTS=<cert>). */
function selfSignedCertificate(dir: string): { cert: string; key: string } {
  const cert = join(dir, 'tls.crt')
  const key = join(dir, 'tls.key')
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert],
    { stdio: 'pipe' },
  )
  return { cert, key }
}
