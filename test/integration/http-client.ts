/**
 * A raw HTTP/1.1 client for the integration tests: fetch() refuses the very inputs these tests
 * must send (raw non-ASCII bytes, NUL, repeated headers), so requests are written byte for byte.
 */
import net from 'node:net'

export interface RawResponse {
  status: number
  /** Lower-cased names; repeated headers keep every value. */
  headers: { [name: string]: string[] }
  body: string
}

export function header(response: RawResponse, name: string): string | undefined {
  const values = response.headers[name.toLowerCase()]
  return values === undefined ? undefined : values[0]
}

export async function rawRequest(
  port: number,
  path: string,
  headerLines: (string | Buffer)[] = [],
  method = 'GET',
  /** The client's source address (any 127.0.0.x works on Linux): tests of per-address behaviour. */
  localAddress?: string,
): Promise<RawResponse> {
  const parts: Buffer[] = [Buffer.from(`${method} ${path} HTTP/1.1\r\nHost: localhost\r\n`)]
  for (const line of headerLines) parts.push(Buffer.isBuffer(line) ? line : Buffer.from(line, 'latin1'), Buffer.from('\r\n'))
  parts.push(Buffer.from('Connection: close\r\n\r\n'))
  const raw = await new Promise<Buffer>((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1', localAddress })
    const chunks: Buffer[] = []
    socket.setTimeout(10_000, () => socket.destroy(new Error(`no answer from 127.0.0.1:${port}${path}`)))
    socket.on('data', (chunk) => chunks.push(chunk))
    socket.on('end', () => resolve(Buffer.concat(chunks)))
    socket.on('error', reject)
    socket.write(Buffer.concat(parts))
  })
  return parseResponse(raw, method === 'HEAD')
}

function parseResponse(raw: Buffer, headOnly: boolean): RawResponse {
  const end = raw.indexOf('\r\n\r\n')
  if (end === -1) throw new Error(`not an HTTP response: ${JSON.stringify(raw.toString('latin1').slice(0, 200))}`)
  const lines = raw.subarray(0, end).toString('latin1').split('\r\n')
  const status = Number(lines[0].split(' ')[1])
  const headers: { [name: string]: string[] } = {}
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':')
    const name = line.slice(0, colon).trim().toLowerCase()
    ;(headers[name] ??= []).push(line.slice(colon + 1).trim())
  }
  let body = raw.subarray(end + 4)
  if (!headOnly && (headers['transfer-encoding'] ?? [])[0] === 'chunked') body = dechunk(body)
  return { status, headers, body: body.toString('utf8') }
}

function dechunk(data: Buffer): Buffer {
  const out: Buffer[] = []
  let offset = 0
  for (;;) {
    const lineEnd = data.indexOf('\r\n', offset)
    const size = parseInt(data.subarray(offset, lineEnd).toString('latin1'), 16)
    if (!size) break
    out.push(data.subarray(lineEnd + 2, lineEnd + 2 + size))
    offset = lineEnd + 2 + size + 2
  }
  return Buffer.concat(out)
}

export function basicHeader(username: string, password: string): string {
  return 'Authorization: Basic ' + Buffer.from(`${username}:${password}`, 'utf8').toString('base64')
}
