/**
 * Loopback ports for the servers tests start. Parallel test workers (and other test runs in the
 * same checkout) must never be handed the same port, and binding :0 alone does not promise that:
 * a port one process probed and released can be handed to the next one before the server that
 * wanted it binds it. So ports come from a range below the kernel's ephemeral range (where no
 * outgoing connection takes them either) and are reserved in `.tmp/ports/<port>` (exclusive
 * create, released on stop, taken over when the reserving process is dead), then probed.
 */
import { createServer, connect } from 'node:net'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { TMP_ROOT } from './paths'
import { delay } from './processes'

const RESERVATIONS = join(TMP_ROOT, 'ports')
/** Below Linux's default ephemeral range (32768–60999). */
const PORT_RANGE = { low: 20000, high: 32767 }
const held = new Set<number>()
let exitHookInstalled = false

/** `count` distinct ports, free on 127.0.0.1 and reserved for this process until released. */
export async function freePorts(count: number): Promise<number[]> {
  mkdirSync(RESERVATIONS, { recursive: true })
  installExitHook()
  const ports: number[] = []
  for (let attempts = 0; ports.length < count; attempts++) {
    if (attempts > 1000) throw new Error(`freePorts: no free port in ${PORT_RANGE.low}–${PORT_RANGE.high}`)
    const port = PORT_RANGE.low + Math.floor(Math.random() * (PORT_RANGE.high - PORT_RANGE.low + 1))
    if (held.has(port) || !reserve(port)) continue
    if (await canBind(port)) ports.push(port)
    else releasePorts([port])
  }
  return ports
}

export async function freePort(): Promise<number> {
  return (await freePorts(1))[0]
}

/** Gives reserved ports back (servers call this when they stop). */
export function releasePorts(ports: number[]): void {
  for (const port of ports) {
    if (!held.delete(port)) continue
    rmSync(join(RESERVATIONS, String(port)), { force: true })
  }
}

function reserve(port: number): boolean {
  const file = join(RESERVATIONS, String(port))
  try {
    writeFileSync(file, String(process.pid), { flag: 'wx' })
  } catch {
    // Reserved: take it over only from a process that no longer exists.
    if (processAlive(Number(readFileSync(file, 'utf8')))) return false
    rmSync(file, { force: true })
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' })
    } catch {
      return false
    }
  }
  held.add(port)
  return true
}

function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
  })
}

function installExitHook(): void {
  if (exitHookInstalled) return
  exitHookInstalled = true
  process.on('exit', () => releasePorts([...held]))
}

/** Whether something accepts TCP connections on 127.0.0.1:port right now. */
export function isListening(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host })
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

/**
 * Polls until `port` accepts connections. `stillStarting` is asked between tries and can end the
 * wait early by throwing (for example because the server process exited).
 */
export async function waitForPort(
  port: number,
  timeoutMs: number,
  stillStarting: () => void = () => {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    stillStarting()
    if (await isListening(port)) return
    if (Date.now() > deadline) throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`)
    await delay(25)
  }
}
