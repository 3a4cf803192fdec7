/**
 * The njs module's handler table: `js_import authotron from …/dist/authotron.js;` then
 * `js_content authotron.<name>;`. Nothing else runs at module top level: on njs every request
 * evaluates it again.
 */
import { authenticated, HEALTH_BODY, jsonBody, whoami } from '../auth/answers'
import { landingPage } from '../auth/landing'
import { obtainGrant } from '../auth/grant'
import { whenReady } from '../maybe-async'
import { VERSION } from '../version'
import { handler, HandlerContext } from './context'
import { authInput } from './request'

function grantFor(ctx: HandlerContext) {
  return obtainGrant(authInput(ctx.r), ctx.config, ctx.platform)
}

function authenticated200(ctx: HandlerContext) {
  return whenReady(grantFor(ctx), (grant) => authenticated(ctx.config, grant.user, grant.token))
}

export default {
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
