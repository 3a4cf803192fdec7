/**
 * The module's core: every handler in full, instantiated only when the top layer (index.ts)
 * cannot answer from the grant cache (core.load.ts).
 */
import { authenticated, HEALTH_BODY, jsonBody, whoami } from '../auth/answers'
import { landingPage } from '../auth/landing'
import { obtainGrant } from '../auth/grant'
import { whenReady } from '../maybe-async'
import { VERSION } from '../version'
import { handler, HandlerContext } from './context'
import { authInput } from './request'
import { reportConfigProblem } from './config-problem'
import type { CompiledConfig } from '../config/compiled'

function grantFor(ctx: HandlerContext) {
  return obtainGrant(authInput(ctx.r), ctx.config, ctx.platform, ctx.grantMiss)
}

function authenticated200(ctx: HandlerContext) {
  return whenReady(grantFor(ctx), (grant) => authenticated(ctx.config, grant.user, grant.token, grant.legacy))
}

/** What every handler answers when the top layer found no usable config: 500, and the reason in the error log. */
export function configUnusable(r: NginxHTTPRequest): void {
  reportConfigProblem(r)
  r.return(500)
}

type RouteName = 'whoami' | 'providers' | 'augmenters' | 'health' | 'home'

type ConfigLookup = (r: NginxHTTPRequest) => CompiledConfig | undefined

/**
 * The handlers behind index.ts's `endpoints` getter, made for each request that calls a route.
 * The top layer passes its config lookup (one copy of it in the bundle, and on QuickJS one cached
 * config file per context).
 */
export function endpoints(lookupConfig: ConfigLookup): Record<RouteName, (r: NginxHTTPRequest) => void> {
  function route(r: NginxHTTPRequest, name: RouteName): void {
    const config = lookupConfig(r)
    if (config === undefined) configUnusable(r)
    else handlers[name](r, config)
  }
  return {
    whoami: (r) => route(r, 'whoami'),
    providers: (r) => route(r, 'providers'),
    augmenters: (r) => route(r, 'augmenters'),
    health: (r) => route(r, 'health'),
    home: (r) => route(r, 'home'),
  }
}

export const handlers = {
  /** `/_auth` (auth_request) and the public `/authenticate`: 200 + minted JWT, or 401. */
  authenticate: handler(authenticated200, { readOnly: false }),
  /**
   * `js_access authotron.access;` (njs ≥ 0.9.9): the same authentication in the access phase, no
   * subrequest; on success the location reads $authotron_jwt and the legacy values.
   */
  access: handler(authenticated200, { readOnly: false, accessPhase: true }),
  whoami: handler((ctx) => whenReady(grantFor(ctx), (grant) => whoami(grant.user)), { readOnly: true }),
  providers: handler((ctx) => jsonBody(ctx.config.providersBody), { readOnly: true }),
  augmenters: handler((ctx) => jsonBody(ctx.config.augmentersBody), { readOnly: true }),
  health: handler(() => ({ status: 200, headers: [], body: HEALTH_BODY }), { readOnly: true }),
  home: handler(
    () => ({ status: 200, headers: [['Content-Type', 'text/html; charset=utf-8']], body: landingPage(VERSION) }),
    { readOnly: true },
  ),
}
