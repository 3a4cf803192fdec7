/**
 * The module's core: every route in full, instantiated only when the top layer (index.ts) cannot
 * answer from the grant cache or the precomputed Basic grants (core.load.ts).
 *
 * ROUTES is the one list of routes. Adding one: an entry here and its handler; index.ts's
 * `endpoints` getter then serves it as `js_content authotron.endpoints.<name>;`.
 */
import { health, jsonBody, jwksAnswer, whoami } from '../auth/answers'
import { landingPage } from '../auth/landing'
import { obtainGrant, GrantCacheMiss } from '../auth/grant'
import { whenReady } from '../maybe-async'
import { VERSION } from '../version'
import { loginLocation, safeRedirectTarget } from '../auth/redirect'
import { loginAnswer, logoutAnswer } from '../auth/session'
import { answering, clearLockout, CoreHandler, granting, handler, lockoutGate, send } from './context'
import { authInput } from './request'
import { reportConfigProblem } from './config-problem'
import { metricsAnswer } from './metrics-endpoint'
import { jwksRelay } from './jwks'
import type { CompiledConfig } from '../config/compiled'
import loadTokenRoutes from '../store/routes.load'

interface Route {
  /** Answer 405 to anything but GET and HEAD (the reference's routes are GET-only). */
  readOnly: boolean
  /** The one method the route takes (DELETE /token/{t}); 405 with `Allow: <it>` to any other. */
  only?: 'DELETE'
  /**
   * Exported by index.ts itself rather than through `endpoints`: the grant tiers of the top
   * layer run first (authenticate, access).
   */
  direct?: true
  handle: CoreHandler
}

/** The `Allow` header of a 405, as the reference sends it (§7). */
const READ_ONLY_METHODS = 'GET,HEAD'

const ROUTES = {
  /**
   * `/_auth` (auth_request) and the public `/authenticate`: 200 + minted JWT, or 401. auth_request
   * subrequests are always GET, whatever the client's method.
   */
  authenticate: { readOnly: true, direct: true, handle: granting(false) },
  /**
   * `js_access authotron.access;` (njs ≥ 0.9.9): the same authentication in the access phase, no
   * subrequest, on the client's own request, so every method; on success the location reads
   * $authotron_jwt and the legacy values.
   */
  access: { readOnly: false, direct: true, handle: granting(true) },
  /**
   * `/authenticate?redirect=<path>` where the config has a session (index.ts sends it here, before
   * any grant tier): the grant's token in the session cookie and a 302 back to the path, or the
   * 401 with the challenge (no cookie), which makes the browser ask for credentials.
   */
  login: {
    readOnly: true,
    direct: true,
    handle: handler(
      (ctx) => obtainGrant(authInput(ctx.r, ctx.config), ctx.config, ctx.platform),
      (ctx, grant) =>
        send(
          ctx.r,
          loginAnswer(
            ctx.config.session!,
            grant.token,
            grant.expiresAt,
            ctx.platform.clock.nowSeconds(),
            safeRedirectTarget(ctx.r.variables.arg_redirect),
          ),
        ),
    ),
  },
  /** `/logout`: the session cookie cleared, then a 302 to `redirect` (checked) or `/`; 404 without a session. */
  logout: {
    readOnly: true,
    handle: answering((ctx) =>
      ctx.config.session === undefined
        ? { status: 404, headers: [], body: '' }
        : logoutAnswer(ctx.config.session, safeRedirectTarget(ctx.r.variables.arg_redirect)),
    ),
  },
  whoami: {
    readOnly: true,
    handle: answering((ctx) => {
      // auth.lockout holds here too: /whoami must not be a way round it (context.ts).
      const lockout = lockoutGate(ctx)
      const miss = lockout !== undefined ? { key: undefined } : undefined
      return whenReady(obtainGrant(authInput(ctx.r, ctx.config), ctx.config, ctx.platform, miss), (grant) => {
        clearLockout(ctx)
        return whoami(grant.user)
      })
    }),
  },
  providers: { readOnly: true, handle: answering((ctx) => jsonBody(ctx.config.providersBody)) },
  augmenters: { readOnly: true, handle: answering((ctx) => jsonBody(ctx.config.augmentersBody)) },
  health: { readOnly: true, handle: answering((ctx) => health(ctx.config, ctx.platform.clock.nowMilliseconds())) },
  /** `/.well-known/jwks.json`: the public keys of an asymmetric `jwt.alg` (extension), 404 with HS256. */
  jwks: { readOnly: true, handle: answering((ctx) => jwksAnswer(ctx.config)) },
  /** The token store (§7.5, src/store/): GET /token, GET /tokens, DELETE /token/{t}. */
  token: { readOnly: true, handle: tokenRoute('create') },
  tokens: { readOnly: true, handle: tokenRoute('list') },
  deleteToken: { readOnly: false, only: 'DELETE', handle: tokenRoute('delete') },
  /** `GET /metrics` (§7.9): the metrics zone in Prometheus text, or why it cannot be (metrics-endpoint.ts). */
  metrics: { readOnly: true, handle: answering((ctx) => metricsAnswer(ctx.config)) },
  home: {
    readOnly: true,
    handle: answering(() => ({
      status: 200,
      headers: [['Content-Type', 'text/html; charset=utf-8']],
      body: landingPage(VERSION),
    })),
  },
} satisfies { [name: string]: Route }

export type RouteName = keyof typeof ROUTES

/**
 * The token store's routes (§7.5, src/store/). They authenticate, so auth.lockout holds here as on
 * /whoami: a locked pair is refused before any check.
 */
function tokenRoute(kind: 'create' | 'list' | 'delete'): CoreHandler {
  return answering((ctx) => {
    lockoutGate(ctx)
    return loadTokenRoutes().answerTokenRoute(kind, authInput(ctx.r, ctx.config), ctx.r.uri, ctx.config, ctx.platform)
  })
}

/** Runs a route for a request whose config the caller found: its method rule, then its handler. */
export function serve(name: RouteName, r: NginxHTTPRequest, config: CompiledConfig, grantMiss?: GrantCacheMiss): void {
  const route: Route = ROUTES[name]
  if (route.only !== undefined ? r.method !== route.only : route.readOnly && r.method !== 'GET' && r.method !== 'HEAD') {
    r.headersOut['Allow'] = route.only !== undefined ? route.only : READ_ONLY_METHODS
    r.return(405)
    return
  }
  route.handle(r, config, grantMiss)
}

/** What every handler answers when the top layer found no usable config: 500, and the reason in the error log. */
export function configUnusable(r: NginxHTTPRequest): void {
  reportConfigProblem(r)
  r.return(500)
}

type ConfigLookup = (r: NginxHTTPRequest) => CompiledConfig | undefined

/**
 * The routes behind index.ts's `endpoints` getter (every route but the direct ones), made for each
 * request that calls one. The top layer passes its config lookup (one copy of it in the bundle,
 * and on QuickJS one cached config file per context).
 */
export function endpoints(lookupConfig: ConfigLookup): { [name: string]: (r: NginxHTTPRequest) => void | string } {
  const table: { [name: string]: (r: NginxHTTPRequest) => void | string } = {}
  const names = Object.keys(ROUTES) as RouteName[]
  for (let i = 0; i < names.length; i++) {
    if (!(ROUTES[names[i]] as Route).direct) table[names[i]] = endpoint(names[i], lookupConfig)
  }
  table.loginLocation = loginLocationVariable
  // The JWK Set relay hop (authotron-jwks-http.conf): no config, no route rules.
  table.jwksRelay = jwksRelay
  return table
}

/**
 * `js_set $authotron_login authotron.endpoints.loginLocation;` (nginx/nginx.conf): where a refused
 * browser request is sent to log in, its URI encoded into `redirect` (src/auth/redirect.ts). nginx
 * evaluates it only where the variable is used, on the 401 path.
 */
function loginLocationVariable(r: NginxHTTPRequest): string {
  return loginLocation(r.variables.request_uri)
}

function endpoint(name: RouteName, lookupConfig: ConfigLookup) {
  return function (r: NginxHTTPRequest) {
    const config = lookupConfig(r)
    if (config === undefined) configUnusable(r)
    else serve(name, r, config)
  }
}
