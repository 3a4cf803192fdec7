/**
 * httpbin, the seed example's backend: Debian's python3-httpbin served by Debian's gunicorn on a
 * free loopback port. It echoes what it receives (`GET /get` → the request headers as JSON), which
 * is how tests see what nginx forwarded.
 */
import { existsSync } from 'node:fs'
import { freePort, waitForPort } from './net'
import { delay, startProcess } from './processes'

/** The packages that provide it; the harness names them when they are missing. */
export const HTTPBIN_FIX = 'apt-get update && apt-get install -y python3-httpbin gunicorn'
const GUNICORN = '/usr/bin/gunicorn'
const START_TIMEOUT_MS = 20_000

export interface HttpbinServer {
  port: number
  /** `127.0.0.1:<port>`, for `server …;` in an upstream block. */
  address: string
  /** `http://127.0.0.1:<port><path>` */
  url(path?: string): string
  stop(): Promise<void>
}

/** Starts httpbin on `port` (default: a free port) and resolves once it answers `/status/200`. */
export async function startHttpbin(options: { port?: number } = {}): Promise<HttpbinServer> {
  if (!existsSync(GUNICORN)) throw new Error(`httpbin: ${GUNICORN} not found. Fix: ${HTTPBIN_FIX}`)
  const port = options.port ?? (await freePort())
  const address = `127.0.0.1:${port}`
  // gthread workers serve concurrent requests from parallel tests; --chdir / keeps the repo's
  // files off the module path. Debian's gunicorn runs /usr/bin/python3, whatever python3 PATH has.
  const gunicorn = startProcess('httpbin', GUNICORN, [
    '--bind', address,
    '--threads', '8',
    '--chdir', '/',
    '--log-level', 'warning',
    'httpbin:app',
  ])
  const url = (path = '/') => `http://${address}${path}`
  const started = Date.now()
  try {
    await waitForPort(port, START_TIMEOUT_MS, () => {
      if (gunicorn.hasExited()) {
        throw new Error(
          `httpbin (gunicorn) ${gunicorn.exitStatus()} while starting:\n${gunicorn.output()}\n` +
            `If httpbin is not installed: ${HTTPBIN_FIX}`,
        )
      }
    })
    // gunicorn binds before its worker has imported the app.
    while ((await fetch(url('/status/200')).catch(() => undefined))?.status !== 200) {
      if (Date.now() - started > START_TIMEOUT_MS) throw new Error(`httpbin: no answer on ${address}`)
      await delay(50)
    }
  } catch (error) {
    await gunicorn.stop()
    throw error
  }
  return { port, address, url, stop: () => gunicorn.stop('SIGTERM') }
}
