/**
 * Remote services for the openid-offline and ecmwf-token-generator integration tests, each a real
 * HTTP server on loopback that records every request it was asked:
 *
 *   startOfflineIam()        the npm `oidc-provider` (a certified OpenID Provider) as the IAM of
 *                            §4.5: token introspection, the refresh_token grant with
 *                            `offline_access`, revocation; a confidential (private) client and a
 *                            public one; access tokens are JWTs signed with a key of its JWK Set
 *   startTokenGenerator()    a fake ECMWF token generator (§4.6: /validate-token,
 *                            /admin/refresh-access-token) minting RS256 access tokens with a key
 *                            whose JWK Set it serves at /jwks; each route can misbehave on demand
 */
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { randomBytes } from 'node:crypto'
import { SignJWT } from 'jose'
import Provider from 'oidc-provider'
import { KEYCLOAK_CLAIMS, keyPair, type KeyPair } from './jwt-fixtures'

/** One request as the server saw it. */
export interface Recorded {
  method: string
  path: string
  headers: { [name: string]: string | string[] | undefined }
  body: string
}

export const PRIVATE_CLIENT = { id: 'desp-private', secret: 'private-secret-0123456789' }
export const PUBLIC_CLIENT = { id: 'desp-public' }
/** The realm in the IAM's paths (§4.5: `realm` is both the Keycloak realm and the AOT realm). */
export const IAM_REALM = 'desp'
const RESOURCE = 'urn:authotron:api'

export interface OfflineIam {
  /** `iam_url`: the provider's routes live under /realms/desp/protocol/openid-connect. */
  url: string
  /** The JWK Set of the access tokens (`cert_uri`). */
  jwksUrl: string
  /** An offline refresh token (scope `openid offline_access api`) issued to `clientId`. */
  offlineToken(clientId?: string): Promise<string>
  /** A refresh token without offline_access. */
  onlineRefreshToken(): Promise<string>
  /** An ordinary (JWT) access token of the private client, by client_credentials. */
  accessToken(): Promise<string>
  revoke(token: string): Promise<void>
  /** Every request, in order. */
  requests: Recorded[]
  count(pathSuffix: string): number
  stop(): Promise<void>
}

export async function startOfflineIam(): Promise<OfflineIam> {
  const key: KeyPair = await keyPair('RSA', 'iam-rsa-1')
  const requests: Recorded[] = []
  const prefix = `/realms/${IAM_REALM}/protocol/openid-connect`
  let provider: any
  // The IAM itself, and in front of it the address the tests and nginx use: it records each request.
  const backend = createServer((req, res) => provider.callback()(req, res))
  const backendPort = await listen(backend)
  const server = createServer((req, res) => {
    readBody(req).then(async (body) => {
      requests.push(record(req, body))
      const headers: { [name: string]: string } = {}
      for (const [name, value] of Object.entries(req.headers)) {
        if (typeof value === 'string' && name !== 'host' && name !== 'connection') headers[name] = value
      }
      try {
        const answer = await fetch(`http://127.0.0.1:${backendPort}${req.url}`, {
          method: req.method,
          headers,
          body: req.method === 'GET' || req.method === 'HEAD' ? undefined : body,
        })
        const text = await answer.text()
        res.writeHead(answer.status, { 'Content-Type': answer.headers.get('content-type') ?? 'application/json' }).end(text)
      } catch (error) {
        res.writeHead(502).end(String(error))
      }
    })
  })
  const port = await listen(server)
  const url = `http://127.0.0.1:${port}`
  const issuer = `${url}${prefix}`
  provider = new Provider(issuer, {
    cookies: { keys: ['authotron-test-cookie-key'] },
    routes: { token: `${prefix}/token`, introspection: `${prefix}/token/introspect`, revocation: `${prefix}/revoke`, jwks: `${prefix}/certs` },
    clients: [
      {
        client_id: PRIVATE_CLIENT.id,
        client_secret: PRIVATE_CLIENT.secret,
        grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
        redirect_uris: ['https://client.example/cb'],
      },
      {
        client_id: PUBLIC_CLIENT.id,
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        redirect_uris: ['https://client.example/cb'],
      },
    ],
    jwks: { keys: [key.privateJwk] },
    scopes: ['openid', 'offline_access', 'api'],
    findAccount: (_ctx: unknown, sub: string) => ({ accountId: sub, claims: () => ({ sub }) }),
    // Keycloak keeps an offline token usable across refreshes (no rotation by default).
    rotateRefreshToken: false,
    ttl: { ClientCredentials: 300, AccessToken: 300, RefreshToken: 3600, Grant: 3600 },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      revocation: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({
          scope: 'api',
          audience: 'api',
          accessTokenTTL: 300,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'RS256', kid: key.kid } },
        }),
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

  async function refreshToken(clientId: string, scope: string): Promise<string> {
    const grant = new provider.Grant({ accountId: 'adam', clientId })
    grant.addOIDCScope(scope.split(' ').filter((s: string) => s !== 'api').join(' '))
    grant.addResourceScope(RESOURCE, 'api')
    const grantId = await grant.save()
    const client = await provider.Client.find(clientId)
    const token = new provider.RefreshToken({
      accountId: 'adam',
      client,
      grantId,
      gty: 'authorization_code',
      scope,
      resource: RESOURCE,
      iiat: Math.floor(Date.now() / 1000),
      authTime: Math.floor(Date.now() / 1000),
    })
    return token.save()
  }

  return {
    url,
    jwksUrl: `${issuer}/certs`,
    offlineToken: (clientId = PRIVATE_CLIENT.id) => refreshToken(clientId, 'openid offline_access api'),
    onlineRefreshToken: () => refreshToken(PRIVATE_CLIENT.id, 'openid api'),
    async accessToken() {
      const response = await fetch(`${issuer}/token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: privateBasic() },
        body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'api' }),
      })
      const body = (await response.json()) as { access_token?: string }
      if (body.access_token === undefined) throw new Error(`no access token: ${JSON.stringify(body)}`)
      return body.access_token
    },
    async revoke(token) {
      const response = await fetch(`${issuer}/revoke`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: privateBasic() },
        body: new URLSearchParams({ token }),
      })
      if (response.status !== 200) throw new Error(`revocation failed: ${response.status}`)
    },
    requests,
    count: (suffix) => requests.filter((r) => r.path.endsWith(suffix)).length,
    stop: async () => {
      await close(server)
      await close(backend)
    },
  }
}

export function privateBasic(): string {
  return 'Basic ' + Buffer.from(`${PRIVATE_CLIENT.id}:${PRIVATE_CLIENT.secret}`).toString('base64')
}

/** How a token-generator route answers: as the real one, or misbehaving. */
export type GeneratorMode = 'ok' | '403' | '500-empty' | '401-empty' | 'not-json' | 'inactive' | 'no-access-token' | 'hang'

export interface TokenGenerator {
  url: string
  jwksUrl: string
  /** A refresh token the generator knows (valid until `forget`). */
  issue(): string
  forget(token: string): void
  setMode(route: 'validate' | 'refresh', mode: GeneratorMode): void
  requests: Recorded[]
  /** Every access token the exchange answered (what must never be on disk). */
  accessTokens: string[]
  count(path: string): number
  stop(): Promise<void>
}

export const GENERATOR_CLIENT = { id: 'aot-client', secret: 'aot-secret-0123456789' }

export async function startTokenGenerator(): Promise<TokenGenerator> {
  const key = await keyPair('RSA', 'tg-rsa-1')
  const accessTokens: string[] = []
  const requests: Recorded[] = []
  const known = new Set<string>()
  const modes: { [route: string]: GeneratorMode } = { validate: 'ok', refresh: 'ok' }
  const hanging: ServerResponse[] = []

  const handle = async (req: IncomingMessage, res: ServerResponse, body: string) => {
    const path = (req.url ?? '').split('?')[0]
    if (path === '/jwks') return json(res, 200, { keys: [key.publicJwk] })
    const route = path === '/validate-token' ? 'validate' : path === '/admin/refresh-access-token' ? 'refresh' : undefined
    if (route === undefined || req.method !== 'POST') return json(res, 404, { error: 'not found' })
    const mode = modes[route]
    if (mode === 'hang') {
      hanging.push(res)
      return
    }
    if (mode === '403') return json(res, 403, { detail: 'Forbidden' })
    if (mode === '500-empty') return void res.writeHead(500).end()
    if (mode === '401-empty') return void res.writeHead(401).end()
    if (mode === 'not-json') return void res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html>oops</html>')
    let input: { [key: string]: unknown }
    try {
      input = JSON.parse(body)
    } catch {
      return json(res, 422, { detail: 'body is not JSON' })
    }
    const token = input.token ?? input.refresh_token
    const active = typeof token === 'string' && known.has(token) && input.client_id === GENERATOR_CLIENT.id
    if (route === 'validate') {
      return json(res, 200, mode === 'inactive' ? { active: false } : { active })
    }
    if (mode === 'no-access-token' || !active || input.client_secret !== GENERATOR_CLIENT.secret) {
      return json(res, 400, { detail: 'invalid refresh token' })
    }
    const now = Math.floor(Date.now() / 1000)
    const accessToken = await new SignJWT({
      scope: 'openid offline_access',
      preferred_username: 'eve',
      realm_access: { roles: ['tg-user'] },
      email: 'eve@example.org',
    })
      .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' })
      .setSubject('eve-sub')
      .setIssuedAt(now)
      .setExpirationTime(now + 300)
      .sign(key.privateKey)
    accessTokens.push(accessToken)
    return json(res, 200, { access_token: accessToken, expires_in: 300, token_type: 'Bearer' })
  }

  const server = createServer((req, res) => {
    readBody(req).then((body) => {
      requests.push(record(req, body))
      handle(req, res, body).catch((error) => res.writeHead(500).end(String(error)))
    })
  })
  const port = await listen(server)
  const url = `http://127.0.0.1:${port}`
  return {
    url,
    jwksUrl: `${url}/jwks`,
    issue() {
      const token = randomBytes(24).toString('base64url')
      known.add(token)
      return token
    },
    forget: (token) => void known.delete(token),
    setMode(route, mode) {
      modes[route] = mode
      if (mode !== 'hang') for (const res of hanging.splice(0)) res.destroy()
    },
    accessTokens,
    requests,
    count: (path) => requests.filter((r) => r.path === path).length,
    async stop() {
      for (const res of hanging.splice(0)) res.destroy()
      await close(server)
    },
  }
}

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body))
}

function record(req: IncomingMessage, body: string): Recorded {
  return { method: req.method ?? '', path: (req.url ?? '').split('?')[0], headers: { ...req.headers }, body }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
  })
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
