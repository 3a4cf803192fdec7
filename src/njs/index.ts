/**
 * The njs module's handler table: `js_import authotron from …/dist/authotron.js;` then
 * `js_content authotron.<name>;` (or `js_access authotron.access;`).
 *
 * This is the module's top layer, and on the njs engine every request runs it again: it declares
 * only these handlers, the config lookup and the grant-cache hit path. Everything else is the
 * core (core.load.ts), instantiated when a request needs it.
 */
import { answeredFromGrantCache } from './cached-grant'
import { loadConfig } from './config-source'
import loadCore from './core.load'

/** `/_auth` (auth_request) and the public `/authenticate`: 200 + minted JWT, or 401. */
function authenticate(r: NginxHTTPRequest) {
  const config = loadConfig(r)
  if (config === undefined) configUnusable(r)
  else if (!answeredFromGrantCache(r, config, false)) loadCore().handlers.authenticate(r, config)
}

/**
 * `js_access authotron.access;` (njs ≥ 0.9.9): the same authentication in the access phase, no
 * subrequest; on success the location reads $authotron_jwt and the legacy values.
 */
function access(r: NginxHTTPRequest) {
  const config = loadConfig(r)
  if (config === undefined) configUnusable(r)
  else if (!answeredFromGrantCache(r, config, true)) loadCore().handlers.access(r, config)
}

function configUnusable(r: NginxHTTPRequest) {
  loadCore().reportConfigProblem(r)
  r.return(500)
}

type CoreHandlerName = 'whoami' | 'providers' | 'augmenters' | 'health' | 'home'

function core(name: CoreHandlerName) {
  return function (r: NginxHTTPRequest) {
    const config = loadConfig(r)
    if (config === undefined) configUnusable(r)
    else loadCore().handlers[name](r, config)
  }
}

export default {
  authenticate,
  access,
  whoami: core('whoami'),
  providers: core('providers'),
  augmenters: core('augmenters'),
  health: core('health'),
  home: core('home'),
}
