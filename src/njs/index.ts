/**
 * The njs module's handler table: `js_import authotron from …/dist/authotron.js;` then
 * `js_content authotron.<name>;` (or `js_access authotron.access;`).
 *
 * This is the module's top layer, and on the njs engine every request runs it again: it declares
 * only these handlers, the config lookup and the grant-cache hit path. Everything else is a lazy
 * unit instantiated when a request needs it: the express Basic path (express.load.ts) and the core
 * (core.load.ts).
 */
import { answeredFromGrantCache, ANSWERED } from './cached-grant'
import { loadConfig } from './config-source'
import loadCore from './core.load'
import loadExpress from './express.load'

/** `/_auth` (auth_request) and the public `/authenticate`: 200 + minted JWT, or 401. */
function authenticate(r: NginxHTTPRequest) {
  authenticateIn(r, false)
}

/**
 * `js_access authotron.access;` (njs ≥ 0.9.9): the same authentication in the access phase, no
 * subrequest; on success the location reads $authotron_jwt and the legacy values.
 */
function access(r: NginxHTTPRequest) {
  authenticateIn(r, true)
}

/** The grant cache first, then the express Basic path, then the core's full pipeline. */
function authenticateIn(r: NginxHTTPRequest, accessPhase: boolean) {
  const config = loadConfig(r)
  if (config === undefined) {
    configUnusable(r)
    return
  }
  const key = answeredFromGrantCache(r, config, accessPhase)
  if (key === ANSWERED) return
  if (config.basicGrants !== undefined && loadExpress().answeredExpress(r, config, key, accessPhase)) return
  const handlers = loadCore().handlers
  if (accessPhase) handlers.access(r, config)
  else handlers.authenticate(r, config)
}

function configUnusable(r: NginxHTTPRequest) {
  loadCore().reportConfigProblem(r)
  r.return(500)
}

// The other routes always run in the core. Declarations, not closures made by a helper: each
// top-level call and closure is paid again by every request on the njs engine.
function whoami(r: NginxHTTPRequest) {
  runInCore(r, 'whoami')
}
function providers(r: NginxHTTPRequest) {
  runInCore(r, 'providers')
}
function augmenters(r: NginxHTTPRequest) {
  runInCore(r, 'augmenters')
}
function health(r: NginxHTTPRequest) {
  runInCore(r, 'health')
}
function home(r: NginxHTTPRequest) {
  runInCore(r, 'home')
}

function runInCore(r: NginxHTTPRequest, name: 'whoami' | 'providers' | 'augmenters' | 'health' | 'home') {
  const config = loadConfig(r)
  if (config === undefined) configUnusable(r)
  else loadCore().handlers[name](r, config)
}

export default { authenticate, access, whoami, providers, augmenters, health, home }
