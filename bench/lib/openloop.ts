/**
 * A rate-limited (open-loop) HTTP/1.1 load generator, for latency at a fixed fraction of peak load.
 *
 * wrk is closed-loop: each connection sends its next request only when the previous answer is in,
 * so it cannot hold a rate, and a slow answer delays the requests behind it without counting that
 * wait (coordinated omission). wrk2 fixes both but is not packaged here. This client schedules
 * request k at t0 + k/rate whatever happened before, sends it on an idle keep-alive connection (or
 * queues it until one frees up), and measures each latency from the *scheduled* time, as wrk2
 * does. It runs on the load core, busy-polling the clock with setImmediate for sub-millisecond
 * scheduling. Every run is bounded in time; it only talks to 127.0.0.1.
 */
import { connect, type Socket } from 'node:net'
import { performance } from 'node:perf_hooks'

export interface OpenLoopRun {
  port: number
  /** Requests per second to hold. */
  rate: number
  durationS: number
  /** Seconds at the same rate before measuring (not recorded). */
  warmupS: number
  connections: number
  /** The bytes of the next request (each call may return a different one). */
  nextRequest: () => Buffer
}

export interface OpenLoopResult {
  targetRate: number
  /** Completed requests per second over the measured window. */
  achievedRate: number
  measured: number
  /** Answers other than 200, and connections lost. */
  errors: number
  p50Ms: number
  p90Ms: number
  p99Ms: number
  maxMs: number
  /** Requests that waited for a free connection (the client ran short of connections). */
  queued: number
}

interface Connection {
  socket: Socket
  busy: boolean
  intended: number
  buffer: Buffer
}

const DRAIN_TIMEOUT_MS = 5000

export function openLoop(run: OpenLoopRun): Promise<OpenLoopResult> {
  return new Promise((resolve, reject) => {
    const interval = 1000 / run.rate
    const latencies: number[] = []
    const backlog: number[] = []
    let errors = 0
    let queued = 0
    let outstanding = 0
    let connected = 0
    let settled = false
    const idle: Connection[] = []
    const connections: Connection[] = []
    let t0 = 0
    let measureFrom = 0
    let end = 0
    let next = 0

    const finish = (error?: Error) => {
      if (settled) return
      settled = true
      for (const c of connections) c.socket.destroy()
      if (error) return reject(error)
      latencies.sort((a, b) => a - b)
      const pick = (p: number) =>
        latencies.length === 0 ? NaN : latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]
      resolve({
        targetRate: run.rate,
        achievedRate: latencies.length / run.durationS,
        measured: latencies.length,
        errors,
        p50Ms: pick(0.5),
        p90Ms: pick(0.9),
        p99Ms: pick(0.99),
        maxMs: latencies.length === 0 ? NaN : latencies[latencies.length - 1],
        queued,
      })
    }

    const send = (c: Connection, intended: number) => {
      c.busy = true
      c.intended = intended
      outstanding++
      c.socket.write(run.nextRequest())
    }

    const completed = (c: Connection, status: number) => {
      const now = performance.now()
      outstanding--
      if (status !== 200) errors++
      if (c.intended >= measureFrom && c.intended < end) latencies.push(now - c.intended)
      const waiting = backlog.shift()
      if (waiting !== undefined) send(c, waiting)
      else {
        c.busy = false
        idle.push(c)
      }
    }

    const tick = () => {
      if (settled) return
      const now = performance.now()
      while (next <= now && next < end) {
        const c = idle.pop()
        if (c !== undefined) send(c, next)
        else {
          backlog.push(next)
          queued++
        }
        next += interval
      }
      if (next < end) {
        setImmediate(tick)
        return
      }
      // Scheduling is over: wait for the answers still in flight, bounded.
      const drainUntil = now + DRAIN_TIMEOUT_MS
      const drain = () => {
        if (settled) return
        if ((outstanding === 0 && backlog.length === 0) || performance.now() > drainUntil) finish()
        else setTimeout(drain, 5)
      }
      drain()
    }

    const open = (c: Connection, onConnect: () => void) => {
      const socket = connect({ port: run.port, host: '127.0.0.1' })
      socket.setNoDelay(true)
      c.socket = socket
      c.buffer = Buffer.alloc(0)
      c.busy = false
      socket.on('data', (chunk: Buffer) => {
        c.buffer = c.buffer.length === 0 ? chunk : Buffer.concat([c.buffer, chunk])
        for (;;) {
          const parsed = parseResponse(c.buffer)
          if (parsed === undefined) break
          c.buffer = c.buffer.subarray(parsed.length)
          completed(c, parsed.status)
        }
      })
      socket.on('error', (error) => {
        if (connected < run.connections) finish(new Error(`open-loop client: ${error.message}`))
      })
      socket.on('close', () => {
        if (settled || c.socket !== socket) return
        // nginx closes a keep-alive connection after keepalive_requests: reconnect in its place.
        if (c.busy) {
          outstanding--
          errors++
        }
        const index = idle.indexOf(c)
        if (index >= 0) idle.splice(index, 1)
        open(c, () => {
          const waiting = backlog.shift()
          if (waiting !== undefined) send(c, waiting)
          else idle.push(c)
        })
      })
      socket.once('connect', onConnect)
    }

    for (let i = 0; i < run.connections; i++) {
      const c = { busy: false, intended: 0, buffer: Buffer.alloc(0) } as Connection
      connections.push(c)
      open(c, () => {
        idle.push(c)
        connected++
        if (connected === run.connections) {
          t0 = performance.now() + 10
          next = t0
          measureFrom = t0 + run.warmupS * 1000
          end = measureFrom + run.durationS * 1000
          setImmediate(tick)
        }
      })
    }
  })
}

/** One complete response at the start of `buffer`: its status and length, or undefined. */
function parseResponse(buffer: Buffer): { status: number; length: number } | undefined {
  const headerEnd = buffer.indexOf('\r\n\r\n')
  if (headerEnd < 0) return undefined
  const head = buffer.toString('latin1', 0, headerEnd)
  const status = Number(head.slice(9, 12))
  const contentLength = /\r\ncontent-length:\s*(\d+)/i.exec(head)
  if (contentLength) {
    const length = headerEnd + 4 + Number(contentLength[1])
    return buffer.length >= length ? { status, length } : undefined
  }
  if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
    const last = buffer.indexOf('\r\n0\r\n\r\n', headerEnd + 2)
    return last < 0 ? undefined : { status, length: last + 7 }
  }
  return { status, length: headerEnd + 4 }
}

/** The bytes of `GET path` with optional headers, keep-alive. */
export function httpGet(port: number, path: string, headers: { [name: string]: string } = {}): Buffer {
  let text = `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n`
  for (const name of Object.keys(headers)) text += `${name}: ${headers[name]}\r\n`
  return Buffer.from(text + '\r\n', 'latin1')
}
