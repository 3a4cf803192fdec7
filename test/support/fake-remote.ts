/**
 * A recording fake of a remote HTTP service (issue 15): a real HTTP server on 127.0.0.1 that
 * answers each path through a handler and records every request it got (method, path, query,
 * headers, body, time). Handlers answer JSON, any status, a malformed body, an oversized body, or
 * hang. The fakes of the ECMWF services (fake-ecmwf.ts) are handlers for it; a test can swap a
 * path's handler at any time (`on`), e.g. to play dead for one test.
 *
 *   const remote = await startFakeRemote({ '/v1/who-am-i': whoAmI({ key1: { uid: 'adam' } }) })
 *   remote.url('/v1')                 → http://127.0.0.1:PORT/v1
 *   remote.requests('/v1/who-am-i')   → what nginx asked, in order
 *
 * Options: `tls: { cert, key }` serves https instead (test/support/tls.ts makes a throwaway CA and
 * certificate); `host` listens on another loopback address (127.0.0.2, for DNS answers that move).
 */
import { createServer, IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo, Socket } from 'node:net'

export interface RecordedRequest {
  method: string
  path: string
  /** The raw query string, without `?`. */
  rawQuery: string
  query: URLSearchParams
  headers: IncomingMessage['headers']
  body: string
  /** Date.now() when the request arrived. */
  at: number
}

export interface Reply {
  status?: number
  /** A string, or an object sent as JSON. */
  body?: string | object
  headers?: { [name: string]: string }
  /** Answer after this many milliseconds. */
  delayMs?: number
  /** Never answer (until the server stops). */
  hang?: boolean
  /** Send this many bytes of `x` as the body instead of `body` (oversized answers), chunked… */
  bytes?: number
  /** …or with a Content-Length header. */
  contentLength?: boolean
  /** Reset the connection (TCP RST) instead of answering. */
  reset?: boolean
}

export type Handler = (request: RecordedRequest) => Reply | Promise<Reply>

export interface FakeRemote {
  port: number
  /** `http://127.0.0.1:PORT<path>` (https, or another `host`, as started). */
  url(path?: string): string
  /** Requests received, all or those for one path. */
  requests(path?: string): RecordedRequest[]
  /** Answer `path` with `handler` from now on. */
  on(path: string, handler: Handler): void
  /**
   * Connections accepted so far (https: TLS handshakes completed). A client that refuses the
   * certificate after the handshake (nginx checks it then) shows as a connection without a request.
   */
  connections(): number
  /** Forget the recorded requests. */
  clear(): void
  stop(): Promise<void>
}

export interface FakeRemoteOptions {
  /** Serve https with this certificate and key (PEM). */
  tls?: { cert: string; key: string }
  /** The loopback address to listen on (default 127.0.0.1). */
  host?: string
  /** A port to listen on (default: any free one). */
  port?: number
}

export async function startFakeRemote(
  routes: { [path: string]: Handler } = {},
  options: FakeRemoteOptions = {},
): Promise<FakeRemote> {
  const host = options.host ?? '127.0.0.1'
  const scheme = options.tls === undefined ? 'http' : 'https'
  const handlers = new Map<string, Handler>(Object.entries(routes))
  const recorded: RecordedRequest[] = []
  const sockets = new Set<Socket>()
  const listener: RequestListener = (req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const [path, rawQuery = ''] = (req.url ?? '/').split(/\?(.*)/s)
      const request: RecordedRequest = {
        method: req.method ?? 'GET',
        path,
        rawQuery,
        query: new URLSearchParams(rawQuery),
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      }
      recorded.push(request)
      const handler = handlers.get(path)
      if (handler === undefined) return send(res, { status: 404, body: { error: 'no such path' } })
      Promise.resolve(handler(request)).then(
        (reply) => send(res, reply),
        (error) => send(res, { status: 500, body: String(error) }),
      )
    })
  }
  const server: Server =
    options.tls === undefined ? createServer(listener) : createHttpsServer({ ...options.tls }, listener)
  let connections = 0
  server.on(options.tls === undefined ? 'connection' : 'secureConnection', () => connections++)
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, resolve)
  })
  const port = (server.address() as AddressInfo).port
  return {
    port,
    url: (path = '') => `${scheme}://${host}:${port}${path}`,
    requests: (path) => (path === undefined ? [...recorded] : recorded.filter((r) => r.path === path)),
    on: (path, handler) => handlers.set(path, handler),
    connections: () => connections,
    clear: () => {
      recorded.length = 0
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}

function send(res: ServerResponse, reply: Reply) {
  if (reply.hang) return
  if (reply.reset) {
    const socket = res.socket as Socket & { resetAndDestroy?: () => void }
    if (socket.resetAndDestroy !== undefined) socket.resetAndDestroy()
    else socket.destroy()
    return
  }
  const write = () => {
    if (res.destroyed) return
    const headers: { [name: string]: string } = { ...reply.headers }
    if (reply.bytes !== undefined) {
      if (reply.contentLength) headers['Content-Length'] = String(reply.bytes)
      res.writeHead(reply.status ?? 200, { 'Content-Type': 'application/json', ...headers })
      const chunk = Buffer.alloc(65536, 'x')
      let left = reply.bytes
      const pump = () => {
        while (left > 0) {
          const piece = left >= chunk.length ? chunk : chunk.subarray(0, left)
          left -= piece.length
          if (!res.write(piece)) return void res.once('drain', pump)
        }
        res.end()
      }
      res.on('error', () => undefined)
      return pump()
    }
    const body = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body ?? {})
    if (typeof reply.body !== 'string' && headers['Content-Type'] === undefined) headers['Content-Type'] = 'application/json'
    res.writeHead(reply.status ?? 200, headers)
    res.end(body)
  }
  if (reply.delayMs !== undefined && reply.delayMs > 0) setTimeout(write, reply.delayMs)
  else write()
}
