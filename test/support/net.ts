/** Loopback ports for the servers a test starts. */
import { createServer, connect, type Server } from 'node:net'
import { delay } from './processes'

/**
 * `count` distinct free ports on 127.0.0.1, found by binding :0. All sockets stay open until every
 * port is chosen, so one call never returns the same port twice; another process may still take a
 * port before nginx binds it, which is why startNginx retries on "Address already in use".
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = []
  try {
    for (let i = 0; i < count; i++) {
      const server = createServer()
      servers.push(server)
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.listen(0, '127.0.0.1', () => resolve())
      })
    }
    return servers.map((server) => {
      const address = server.address()
      if (address === null || typeof address === 'string') throw new Error('freePorts: no port')
      return address.port
    })
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))))
  }
}

export async function freePort(): Promise<number> {
  return (await freePorts(1))[0]
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
