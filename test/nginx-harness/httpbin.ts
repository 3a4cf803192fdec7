/**
 * httpbin, the seed example's backend: Debian's python3-httpbin served by Debian's gunicorn on a
 * free loopback port. It echoes what it receives (`GET /get` → the request headers as JSON), which
 * is how tests see what nginx forwarded.
 */
import { existsSync } from 'node:fs'
import { freePort, releasePorts } from './net'
import { delay, startProcess, type ManagedProcess } from './processes'

/** The packages that provide it; the harness names them when they are missing. */
export const HTTPBIN_FIX = 'apt-get update && apt-get install -y python3-httpbin gunicorn'
const GUNICORN = '/usr/bin/gunicorn'
const START_TIMEOUT_MS = 20_000
const PORT_ATTEMPTS = 3

export interface HttpbinServer {
  port: number
  /** `127.0.0.1:<port>`, for `server …;` in an upstream block. */
  address: string
  /** `http://127.0.0.1:<port><path>` */
  url(path?: string): string
  stop(): Promise<void>
}

/** Starts httpbin on `port` (default: a free port) and resolves once it answers. */
export async function startHttpbin(options: { port?: number } = {}): Promise<HttpbinServer> {
  if (!existsSync(GUNICORN)) throw new Error(`httpbin: ${GUNICORN} not found. Fix: ${HTTPBIN_FIX}`)
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await freePort())
    const reserved = options.port === undefined ? [port] : []
    const address = `127.0.0.1:${port}`
    // gthread workers serve concurrent requests from parallel tests; --chdir / keeps the repo's
    // files off the module path. Debian's gunicorn runs /usr/bin/python3, whatever PATH says.
    const gunicorn = startProcess('httpbin', GUNICORN, [
      '--bind', address,
      '--threads', '8',
      '--chdir', '/',
      '--log-level', 'info',
      'httpbin:app',
    ])
    const url = (path = '/') => `http://${address}${path}`
    try {
      await waitUntilServing(gunicorn, address, url)
    } catch (error) {
      await gunicorn.stop()
      releasePorts(reserved)
      const portTaken = /Connection in use/.test(gunicorn.output())
      if (portTaken && options.port === undefined && attempt < PORT_ATTEMPTS) continue
      throw error
    }
    return {
      port,
      address,
      url,
      async stop() {
        await gunicorn.stop('SIGTERM')
        releasePorts(reserved)
      },
    }
  }
}

/**
 * Serving means: this gunicorn says it listens on `address` and has booted a worker, and
 * `/get` answers with httpbin's JSON (not some other server's answer on a reused port).
 */
async function waitUntilServing(gunicorn: ManagedProcess, address: string, url: (path?: string) => string) {
  const deadline = Date.now() + START_TIMEOUT_MS
  for (;;) {
    const output = gunicorn.output()
    if (gunicorn.hasExited() || /Connection in use/.test(output)) {
      throw new Error(
        `httpbin (gunicorn) could not start on ${address}:\n${output}\nIf httpbin is not installed: ${HTTPBIN_FIX}`,
      )
    }
    if (output.includes(`Listening at: http://${address}`) && output.includes('Booting worker')) {
      const answer = await fetch(url('/get')).catch(() => undefined)
      const body = answer?.status === 200 ? await answer.text() : ''
      if (body.includes(`"url":`) && body.includes(`/get"`)) return
    }
    if (Date.now() > deadline) throw new Error(`httpbin: no answer on ${address} within ${START_TIMEOUT_MS} ms`)
    await delay(50)
  }
}
