/**
 * The njs module's handler table: `js_import authotron from …/dist/authotron.js;` then
 * `js_content authotron.<name>;`. Nothing else runs at module top level: on njs every request
 * evaluates it again.
 */
import { authenticated, HEALTH_BODY, jsonBody, whoami } from '../auth/answers'
import { landingPage } from '../auth/landing'
import { authenticate as runPipeline } from '../auth/pipeline'
import { mintToken } from '../jwt/mint'
import { whenReady } from '../maybe-async'
import { VERSION } from '../version'
import { handler, HandlerContext } from './context'
import { authInput } from './request'

function authenticateUser(ctx: HandlerContext) {
  return runPipeline(authInput(ctx.r), ctx.config, ctx.platform)
}

export default {
  /** `/_auth` (auth_request) and the public `/authenticate`: 200 + minted JWT, or 401. */
  authenticate: handler(
    (ctx) =>
      whenReady(authenticateUser(ctx), (user) =>
        authenticated(ctx.config, user, mintToken(user, ctx.config.jwt, ctx.platform.clock.nowSeconds(), ctx.platform.crypto)),
      ),
    { readOnly: false },
  ),
  whoami: handler((ctx) => whenReady(authenticateUser(ctx), whoami), { readOnly: true }),
  providers: handler((ctx) => jsonBody(ctx.config.providersBody), { readOnly: true }),
  augmenters: handler((ctx) => jsonBody(ctx.config.augmentersBody), { readOnly: true }),
  health: handler(() => ({ status: 200, headers: [], body: HEALTH_BODY }), { readOnly: true }),
  home: handler(
    () => ({ status: 200, headers: [['Content-Type', 'text/html; charset=utf-8']], body: landingPage(VERSION) }),
    { readOnly: true },
  ),
}
