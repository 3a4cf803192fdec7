/**
 * The njs module's handler table: `js_import authotron from …/dist/authotron.js;` then
 * `js_content authotron.authenticate;`, `js_access authotron.access;` and
 * `js_content authotron.endpoints.<route>;`.
 *
 * This is the module's top layer, and on the njs engine every request runs it again: each
 * top-level function costs every request ~200 instructions, each exported handler ~600 more and
 * each call ~1,000 (docs/benchmarks.md), so it declares only the handlers, the config lookup and
 * the grant-cache hit path. Everything else is a lazy unit instantiated when a request needs it:
 * the precomputed Basic path (precomputed-basic.load.ts), the core with the route table
 * (core.load.ts) and, on QuickJS or with the deprecated preload name, the config fallback
 * (config-fallback.load.ts).
 */
import { RuleVariable } from './access-variables'
import { answeredFromGrantCache, ANSWERED } from './cached-grant'
import { loadConfig } from './config-source'
import loadCore from './core.load'
import loadCredentialLimit from './credential-limit.load'
import { addressMayBeLocked, LOCKOUT_ZONE } from '../auth/lockout'
import { BASIC_SCHEME_HEADS, FAST_REFUSAL_MIN_LENGTH } from '../auth/header'
import loadLockout from './lockout.load'
import loadPrecomputedBasic from './precomputed-basic.load'
import loadRemoteRelay from './remote-relay.load'

/**
 * `/_auth` (auth_request) and the public `/authenticate`: 200 + minted JWT, or 401. Tries the
 * grant cache, then the precomputed Basic grants, then the core's full pipeline.
 *
 * nginx calls it with the request only; `access` passes `true`. (A shared body without a wrapper
 * spares the auth_request path one call per request.)
 */
function authenticate(r: NginxHTTPRequest, accessPhase?: true) {
  const config = loadConfig(r)
  if (config === undefined) {
    loadCore().configUnusable(r)
    return
  }
  // A browser login (`/authenticate?redirect=…`, session configs only): a 302 with the cookie, never
  // a grant tier's 200. auth_request subrequests have no query string; the access phase never logs in.
  if (config.session !== undefined && accessPhase === undefined && r.variables.arg_redirect !== undefined) {
    loadCore().serve('login', r, config)
    return
  }
  // auth_request subrequests are always GET. Any other method (HEAD, or the 405 of the
  // authenticate route's method rule) is the core's; the access phase takes every method.
  if (accessPhase === undefined && r.method !== 'GET') {
    loadCore().serve('authenticate', r, config)
    return
  }
  // auth.max_basic_length (header.ts): a header that starts with a long Basic credential is refused
  // before anything hashes or decodes it (credential-limit.ts checks it against the config's
  // limit). Below the default limit the grammar's own refusal costs little, so shorter headers and
  // other schemes pay one length and, past it, a six-character head; no variable, no config read
  // (each costs every request on the njs engine: ~1k instructions for a config property).
  const authorization = r.headersIn['Authorization']
  if (
    authorization !== undefined &&
    authorization.length > FAST_REFUSAL_MIN_LENGTH &&
    BASIC_SCHEME_HEADS.indexOf(authorization.slice(0, 6).toLowerCase()) !== -1 &&
    loadCredentialLimit().refusedTooLong(r, config, authorization)
  )
    return
  // auth.lockout: a locked (address, username) pair gets no tier, a pair with failures only the
  // full pipeline (which clears them on success); the lockout unit is loaded only by such configs.
  // An address without recent failures is clean: one lookup, nothing decoded (lockout.ts).
  if (config.lockout !== undefined) {
    const shared = (ngx as any).shared
    const zone = shared === undefined ? undefined : (shared[LOCKOUT_ZONE] as NgxSharedDict<number> | undefined)
    if (zone === undefined || addressMayBeLocked(zone, r.remoteAddress)) {
      const lockout = loadLockout().lockoutVerdictOf(r, config)
      if (lockout !== undefined) {
        loadCore().serve(accessPhase ? 'access' : 'authenticate', r, config, { key: undefined, lockout })
        return
      }
    }
  }
  // The location's access rule, '' where it sets none: every tier checks it before granting.
  const rule = r.variables[RuleVariable.Name]
  const key = answeredFromGrantCache(r, config, accessPhase, rule, authorization)
  if (key === ANSWERED) return
  if (config.precomputedBasic !== undefined && loadPrecomputedBasic().answeredPrecomputedBasic(r, config, key, accessPhase, rule)) return
  // The core does not look the grant up again: it stores under the key the hit computed.
  loadCore().serve(accessPhase ? 'access' : 'authenticate', r, config, { key })
}

/**
 * `js_access authotron.access;` (njs ≥ 0.9.9): the same authentication in the access phase, no
 * subrequest; on success the location reads $authotron_jwt and the legacy values.
 */
function access(r: NginxHTTPRequest) {
  authenticate(r, true)
}

/**
 * The other routes of the core's table, `js_content authotron.endpoints.<name>;` (whoami,
 * providers, augmenters, health, home): a getter, so their handlers are built by the core only for
 * a request that calls one. On the njs engine each property of this object costs every request
 * ~600 instructions and each top-level function ~200 more (docs/benchmarks.md); nginx resolves the
 * dotted name through the getter on every engine.
 */
export default {
  authenticate,
  access,
  get endpoints() {
    return loadCore().endpoints(loadConfig)
  },
  /** `js_content authotron.remote.relay;`: hop 2 of the remote calls (authotron-remote-http.conf). */
  get remote() {
    return loadRemoteRelay()
  },
}
