/**
 * A throwaway certificate authority for tests of https upstreams: `makeTestCa(dir, names)` makes,
 * with the openssl command line, a CA and a server certificate it signed for the given host names
 * (and 127.0.0.1), plus a second, unrelated CA that verifies nothing of ours. All of it lives in
 * `dir` (a test's temp folder) and is made at test time; nothing is committed.
 *
 *   const tls = makeTestCa(join(prefix, 'tls'), ['localhost', 'svc.test'])
 *   startFakeRemote(routes, { tls })      // serves https with tls.cert / tls.key
 *   ca_file: tls.caFile                   // verifies it; tls.otherCaFile does not
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export interface TestCa {
  /** PEM of the CA that signed `cert`. */
  caFile: string
  /** PEM of another CA (same subject name), which did not. */
  otherCaFile: string
  /** The server certificate and its key, PEM. */
  cert: string
  key: string
  certFile: string
  keyFile: string
}

function openssl(args: string[], cwd: string): void {
  const run = spawnSync('openssl', args, { cwd, encoding: 'utf8' })
  if (run.error !== undefined) {
    throw new Error(`openssl is needed to make the test certificates (apt-get install -y openssl): ${run.error.message}`)
  }
  if (run.status !== 0) throw new Error(`openssl ${args.join(' ')} failed:\n${run.stderr}`)
}

function makeCa(dir: string, base: string): void {
  openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `${base}.key`], dir)
  openssl(
    ['req', '-x509', '-new', '-key', `${base}.key`, '-sha256', '-days', '2', '-subj', '/CN=authotron test CA',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
      '-out', `${base}.pem`],
    dir,
  )
}

export function makeTestCa(dir: string, hostNames: string[] = ['localhost']): TestCa {
  mkdirSync(dir, { recursive: true })
  makeCa(dir, 'ca')
  makeCa(dir, 'other-ca')
  const san = [...hostNames.map((name) => `DNS:${name}`), 'IP:127.0.0.1'].join(',')
  writeFileSync(
    join(dir, 'server.ext'),
    `basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=${san}\n`,
  )
  openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'server.key'], dir)
  openssl(['req', '-new', '-key', 'server.key', '-subj', `/CN=${hostNames[0]}`, '-out', 'server.csr'], dir)
  openssl(
    ['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2',
      '-sha256', '-extfile', 'server.ext', '-out', 'server.pem'],
    dir,
  )
  const certFile = join(dir, 'server.pem')
  const keyFile = join(dir, 'server.key')
  return {
    caFile: join(dir, 'ca.pem'),
    otherCaFile: join(dir, 'other-ca.pem'),
    cert: readFileSync(certFile, 'utf8'),
    key: readFileSync(keyFile, 'utf8'),
    certFile,
    keyFile,
  }
}
