/**
 * The nginx.conf of the bench's single-process tools (bench/profile.ts, instructions.ts,
 * handler-cost.ts): `master_process off` and one worker, so the process started is the worker
 * (for callgrind and schedstat), with its pid, logs and temp folders under `work`.
 */
import type { RuntimeLeg } from './runtimes'

export function singleProcessConf(leg: RuntimeLeg, work: string, http: string[], workerConnections = 64): string {
  return [
    'daemon off;',
    'master_process off;',
    'worker_processes 1;',
    `pid ${work}/nginx.pid;`,
    `error_log ${work}/error.log warn;`,
    leg.loadModuleLine,
    `events { worker_connections ${workerConnections}; }`,
    'http {',
    ...leg.httpLines,
    `client_body_temp_path ${work}/cbt; proxy_temp_path ${work}/pt; fastcgi_temp_path ${work}/ft; uwsgi_temp_path ${work}/ut; scgi_temp_path ${work}/st;`,
    ...http,
    '}',
  ].join('\n')
}
