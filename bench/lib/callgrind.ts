/** What bench/profile.ts and bench/instructions.ts share: one keep-alive request, callgrind totals. */
import type { ChildProcess } from 'node:child_process'
import { Agent, request } from 'node:http'

/**
 * Stops nginx under valgrind with SIGQUIT, so callgrind writes its file. An nginx that already
 * exited emits no second 'exit' (waiting for one would leave node with nothing pending: it would
 * end with status 0 and no message); one that has not gone after 60 s (seen with QuickJS) is killed.
 */
export async function stopNginx(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((done) => child.once('exit', done))
  child.kill('SIGQUIT')
  const timer = setTimeout(() => {
    process.stderr.write('nginx under valgrind did not stop 60 s after SIGQUIT: killing it\n')
    child.kill('SIGKILL')
  }, 60_000)
  await exited
  clearTimeout(timer)
}

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
