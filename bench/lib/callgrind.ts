/** What bench/profile.ts and bench/instructions.ts share: one keep-alive request, callgrind totals. */
import { Agent, request } from 'node:http'

/** GET `path` on 127.0.0.1:`port` over `agent`; resolves with the status once the body is read. */
export function getStatus(port: number, path: string, headers: { [name: string]: string }, agent: Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers, agent }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode ?? 0))
    })
    req.on('error', reject)
    req.setTimeout(60_000, () => req.destroy(new Error('timeout')))
    req.end()
  })
}

/** Instructions per request from `callgrind_annotate` output covering `requests` requests. */
export function instructionsPerRequest(annotate: string, requests: number): number {
  const total = /^([\d,]+)\s+(?:\(100\.0%\)\s+)?PROGRAM TOTALS/m.exec(annotate)
  if (!total) throw new Error('no PROGRAM TOTALS in the callgrind output')
  return Math.round(Number(total[1].replace(/,/g, '')) / requests)
}
