/// <reference types="njs-types/ngx_http_js_module" />
/**
 * js_content handlers for ./nginx.ts: each request verifies the right password against one
 * stored form, so the drop in requests per second against `noop` is the verification's cost
 * inside nginx (per-request VM clone and memory release included). Bundled with esbuild and
 * loaded by njs 0.7.9 as is: no async/await, no for…of.
 */
import type { PasswordVerifier } from '../../src/config/compiled'
import { njsCrypto } from '../../src/njs/platform'
import { verifyPassword } from '../../src/passwords/verify'

/** Injected by nginx.ts (esbuild `define`). */
declare const BENCH_PASSWORD: string
declare const BENCH_VERIFIERS: { [location: string]: PasswordVerifier }

function verifyEach(r: NginxHTTPRequest): void {
  const verifier = BENCH_VERIFIERS[r.uri.slice(1)]
  if (verifier === undefined) return r.return(404)
  const password = new TextEncoder().encode(BENCH_PASSWORD)
  Promise.resolve(verifyPassword(verifier, password, njsCrypto)).then(
    (accepted) => r.return(accepted ? 204 : 403),
    () => r.return(500),
  )
}

function noop(r: NginxHTTPRequest): void {
  r.return(204)
}

export default { verifyEach, noop }
