/**
 * Remote services for the jwt provider's integration tests, each a real HTTP server on loopback:
 *
 *   startOpenIdProvider()  the npm `oidc-provider` (a certified OpenID Provider), issuing JWT
 *                          access tokens by client_credentials, signed with the algorithm asked for;
 *                          its keys can be rotated
 *   startJwksRelay()       what nginx fetches JWK Sets from: relays /<name>/jwks to a source (the
 *                          OpenID Provider's jwks_uri, or a fixed document), counts every request
 *                          per name, and can play dead (503, or a connection reset)
 */
import { createServer as createHttpServer, IncomingMessage, Server, ServerResponse } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import type { webcrypto } from 'node:crypto'
import { exportJWK, generateKeyPair, type JWK } from 'jose'
import Provider from 'oidc-provider'

export type SigningAlg = 'RS256' | 'PS256' | 'ES256' | 'EdDSA'
export const OP_ALGS: SigningAlg[] = ['RS256', 'PS256', 'ES256', 'EdDSA']

export interface KeyPair {
  kid: string
  privateJwk: JWK
  publicJwk: JWK
  privateKey: webcrypto.CryptoKey
}

export async function keyPair(kind: 'RSA' | 'EC' | 'OKP', kid: string): Promise<KeyPair> {
  const alg = kind === 'RSA' ? 'RS256' : kind === 'EC' ? 'ES256' : 'EdDSA'
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true })
  return {
    kid,
    privateJwk: { ...(await exportJWK(privateKey)), kid, use: 'sig' },
    publicJwk: { ...(await exportJWK(publicKey)), kid, use: 'sig' },
    privateKey: privateKey as webcrypto.CryptoKey,
  }
}

/** Claims a Keycloak access token carries, added to every token the provider issues. */
export const KEYCLOAK_CLAIMS = {
  preferred_username: 'adam',
  realm_access: { roles: ['offline_access', 'user'] },
  resource_access: { polytope: { roles: ['reader'] }, account: { roles: ['manage-account'] } },
  entitlements: ['ent-1'],
  email: 'adam@example.org',
  note: 'line\u0007bell',
}

export interface OpenIdProvider {
  issuer: string
  port: number
  /** The keys its JWKS publishes, signing keys first. */
  keys: { RSA: KeyPair[]; EC: KeyPair[]; OKP: KeyPair[] }
  /** A JWT access token (client_credentials) signed with `alg` by the current key of its type. */
  token(alg: SigningAlg): Promise<string>
  /** A new signing key of `kind` goes first; the old ones stay published. */
  rotate(kind: 'RSA' | 'EC' | 'OKP'): Promise<KeyPair>
  stop(): Promise<void>
}

const CLIENT = { id: 'machine', secret: 'machine-secret-0123456789' }
const KIND_OF: { [alg in SigningAlg]: 'RSA' | 'EC' | 'OKP' } = { RS256: 'RSA', PS256: 'RSA', ES256: 'EC', EdDSA: 'OKP' }

export async function startOpenIdProvider(): Promise<OpenIdProvider> {
  const keys = {
    RSA: [await keyPair('RSA', 'rsa-1')],
    EC: [await keyPair('EC', 'ec-1')],
    OKP: [await keyPair('OKP', 'okp-1')],
  }
  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_, res) => res.end()
  const server = createHttpServer((req, res) => handler(req, res))
  const port = await listen(server)
  const issuer = `http://127.0.0.1:${port}`
  const build = () => {
    const provider = new Provider(issuer, {
      cookies: { keys: ['authotron-test-cookie-key'] },
      ttl: { ClientCredentials: 300 },
      clients: [
        {
          client_id: CLIENT.id,
          client_secret: CLIENT.secret,
          grant_types: ['client_credentials'],
          redirect_uris: [],
          response_types: [],
        },
      ],
      jwks: { keys: [...keys.RSA, ...keys.EC, ...keys.OKP].map((key) => key.privateJwk) as any },
      features: {
        devInteractions: { enabled: false },
        clientCredentials: { enabled: true },
        resourceIndicators: {
          enabled: true,
          defaultResource: () => 'urn:authotron:RS256',
          useGrantedResource: () => true,
          getResourceServerInfo: (_ctx: unknown, resource: string) => {
            const alg = resource.slice('urn:authotron:'.length) as SigningAlg
            return {
              scope: 'api email',
              audience: 'api',
              accessTokenTTL: 300,
              accessTokenFormat: 'jwt',
              jwt: { sign: { alg, kid: keys[KIND_OF[alg]][0].kid } },
            }
          },
        },
      },
      formats: {
        customizers: {
          jwt: (_ctx: unknown, _token: unknown, jwt: { payload: object }) => {
            Object.assign(jwt.payload, KEYCLOAK_CLAIMS)
          },
        },
      },
    } as any)
    handler = provider.callback()
  }
  build()
  return {
    issuer,
    port,
    keys,
    async token(alg) {
      const response = await fetch(`${issuer}/token`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          Authorization: 'Basic ' + Buffer.from(`${CLIENT.id}:${CLIENT.secret}`).toString('base64'),
        },
        body: new URLSearchParams({ grant_type: 'client_credentials', resource: `urn:authotron:${alg}`, scope: 'api email' }),
      })
      const body = (await response.json()) as { access_token?: string }
      if (response.status !== 200 || body.access_token === undefined) {
        throw new Error(`the OpenID Provider issued no ${alg} token: ${response.status} ${JSON.stringify(body)}`)
      }
      return body.access_token
    },
    async rotate(kind) {
      const next = await keyPair(kind, `${kind.toLowerCase()}-${keys[kind].length + 1}`)
      keys[kind].unshift(next)
      build()
      return next
    },
    stop: () => close(server),
  }
}

export type RelayMode = 'ok' | '503' | 'reset'

export interface JwksRelay {
  port: number
  /** `http(s)://<host>:<port>/<name>/jwks` */
  url(name: string): string
  /** Requests per name, as they arrived. */
  count(name: string): number
  setMode(name: string, mode: RelayMode): void
  /** Answers for `name` wait this long first (a slow identity provider). */
  setDelay(name: string, ms: number): void
  stop(): Promise<void>
}

export interface RelayRoute {
  /** A URL to relay, or a JWK Set document (serialized per request: a test may change it). */
  source: string | object
}

export async function startJwksRelay(
  routes: { [name: string]: RelayRoute },
  tls?: { key: string; cert: string },
): Promise<JwksRelay> {
  const counts: { [name: string]: number } = {}
  const modes: { [name: string]: RelayMode } = {}
  const delays: { [name: string]: number } = {}
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const match = /^\/([^/]+)\/jwks$/.exec(req.url ?? '')
    const route = match && routes[match[1]]
    if (!match || !route) {
      res.writeHead(404).end()
      return
    }
    const name = match[1]
    counts[name] = (counts[name] ?? 0) + 1
    const mode = modes[name] ?? 'ok'
    if (delays[name]) await new Promise((resolve) => setTimeout(resolve, delays[name]))
    if (mode === 'reset') {
      req.socket.destroy()
      return
    }
    if (mode === '503') {
      res.writeHead(503).end('down')
      return
    }
    const body =
      typeof route.source === 'string'
        ? await (await fetch(route.source)).text()
        : JSON.stringify(route.source)
    // What identity providers send: caching headers nginx must not obey (jwks_ttl rules).
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', Vary: 'Accept-Encoding' })
    res.end(body)
  }
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((error) => res.writeHead(500).end(String(error)))
  }
  const server: Server = tls ? createHttpsServer(tls, listener) : createHttpServer(listener)
  const port = await listen(server)
  const host = tls ? 'localhost' : '127.0.0.1'
  return {
    port,
    url: (name) => `${tls ? 'https' : 'http'}://${host}:${port}/${name}/jwks`,
    count: (name) => counts[name] ?? 0,
    setMode: (name, mode) => {
      modes[name] = mode
    },
    setDelay: (name, ms) => {
      delays[name] = ms
    },
    stop: () => close(server),
  }
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port))
  })
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections?.()
    server.close(() => resolve())
  })
}
