/**
 * The one adapter between the bench and the nginx harness (test/nginx-harness): starts the bench's
 * nginx for a runtime leg with the harness's startNginx — which writes the main context (1 worker,
 * the leg's load_module and js_engine) and the operator's three lines (js_import,
 * js_preload_object, js_var $authotron_config_file) — and adds what the bench needs on top: the
 * worker's pid, CPU pinning, and the bench's locations.
 */
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { startNginx, type ConfContext, type NginxServer } from '../../test/nginx-harness/nginx'
import { REPO_ROOT } from '../../test/nginx-harness/paths'
import { childPids, delay } from '../../test/nginx-harness/processes'
import type { RuntimeLeg } from '../../test/nginx-harness/runtimes'
import type { InstanceKind } from './cases'
import { pin, prioritise, SERVER_CORE } from './machine'

export const BENCH_DIR = join(REPO_ROOT, 'bench')
export const CONTENT_FILE = join(BENCH_DIR, 'fixtures/content.txt')
export const CONTENT = readFileSync(CONTENT_FILE, 'utf8')
const EMPTY_NJS = join(BENCH_DIR, 'njs/empty.js')
const MINIMAL_HIT_NJS = join(BENCH_DIR, 'njs/minimal-hit.js')
const SNIPPETS = join(REPO_ROOT, 'nginx')

/**
 * nginx snippets `authotron compile --nginx-snippets DIR` writes for the config (the jwt provider's
 * JWK Set locations): `server` files go into the server block that has /_auth, the others into http.
 */
export interface ConfigSnippets {
  http: string[]
  server: string[]
}

export interface BenchNginx {
  kind: InstanceKind
  leg: RuntimeLeg
  server: NginxServer
  url(path: string): string
  workerPid(): number
  /** The error log lines written since the server started. */
  errorLog(): string
  stop(): Promise<void>
}

/**
 * Starts one bench nginx on `leg`. `configFile` is the compiled config; `cache` includes
 * nginx/authotron-cache.conf (only on legs with a shared dict); `module` replaces
 * dist/authotron.js (bench/ab.ts).
 */
export async function startBenchNginx(
  leg: RuntimeLeg,
  kind: InstanceKind,
  configFile: string | undefined,
  cache: boolean,
  snippets: ConfigSnippets = { http: [], server: [] },
  module?: string,
): Promise<BenchNginx> {
  snippets = withOwnRelaySockets(snippets)
  const server = await startNginx({
    leg,
    module,
    label: `bench-${kind}`,
    // Without a config the harness imports no module: the `bare` instance.
    configFile: kind === 'bare' || kind === 'minimal' ? undefined : configFile,
    portNames: ['sidecar'],
    conf: (context) =>
      kind === 'minimal'
        ? minimalHitConf(context)
        : benchConf(context, cache, kind === 'bare', kind === 'bare' ? undefined : snippets, kind === 'metrics', kind === 'lockout'),
  })
  const master = Number(readFileSync(join(server.paths.prefix, 'nginx.pid'), 'utf8').trim())
  let worker: number | undefined
  for (let i = 0; i < 100 && worker === undefined; i++) {
    worker = childPids(master)[0]
    if (worker === undefined) await delay(20)
  }
  if (worker === undefined) throw new Error(`leg ${leg.name}: no nginx worker under master ${master}`)
  pin(master, SERVER_CORE)
  pin(worker, SERVER_CORE)
  prioritise(master)
  prioritise(worker)
  const workerPid = worker
  return {
    kind,
    leg,
    server,
    url: (path) => server.url(path),
    workerPid: () => workerPid,
    errorLog: () => server.errorLog(),
    stop: () => server.stop(),
  }
}

/**
 * The snippets with the relay servers' unix sockets (JWK Set and remote relays) moved to a directory
 * of this instance's own: every bench nginx (legs, and main/nocache/metrics/cold per leg) runs at
 * the same time from one compiled config, and two masters cannot listen on one socket.
 */
function withOwnRelaySockets(snippets: ConfigSnippets): ConfigSnippets {
  const files = [...snippets.http, ...snippets.server]
  const texts = files.map((file) => readFileSync(file, 'utf8'))
  const sockets = new Set(texts.flatMap((text) => [...text.matchAll(/unix:(\/[^:;\s"]+\.sock)/g)].map((m) => m[1])))
  if (sockets.size === 0) return snippets
  const dir = mkdtempSync(join(tmpdir(), 'aot-bench-'))
  chmodSync(dir, 0o755) // QuickJS legs' workers (nobody) connect to the sockets
  const copy = (file: string, i: number) => {
    let text = texts[i]
    sockets.forEach((socket) => (text = text.replaceAll(socket, join(dir, basename(socket)))))
    const path = join(dir, basename(file))
    writeFileSync(path, text, { mode: 0o600 })
    return path
  }
  return { http: snippets.http.map((file, i) => copy(file, i)), server: snippets.server.map((file, i) => copy(file, snippets.http.length + i)) }
}

/**
 * The `minimal-hit` case's nginx: only bench/njs/minimal-hit.js and the shared dict, and the
 * location reads the subrequest's headers as authotron-protect.conf does.
 */
export function minimalHitConf({ port }: Pick<ConfContext, 'port'>): string {
  return `
js_import bench from ${MINIMAL_HIT_NJS};
include ${SNIPPETS}/authotron-cache.conf;

server {
    listen 127.0.0.1:${port};
    access_log off;
    default_type text/plain;

    location = /minimal-hit {
        auth_request /_minimal-hit;
        auth_request_set $authotron_jwt       $sent_http_authorization;
        auth_request_set $authotron_username  $sent_http_x_auth_username;
        auth_request_set $authotron_realm     $sent_http_x_auth_realm;
        auth_request_set $authotron_roles     $sent_http_x_auth_roles;
        auth_request_set $authotron_challenge $sent_http_www_authenticate;
        add_header WWW-Authenticate $authotron_challenge always;
        alias ${CONTENT_FILE};
    }
    location = /_minimal-hit {
        internal;
        js_content bench.hit;
    }
}
`
}

/**
 * The bench's server blocks. Every measured location serves the same static file (a location whose
 * content is `return` would answer before auth_request runs); they differ only in what guards it.
 * The module's locations use the shipped snippets exactly as an operator includes them.
 */
export function benchConf(
  { leg, port, ports }: Pick<ConfContext, 'leg' | 'port' | 'ports'>,
  cache: boolean,
  bare = false,
  snippets: ConfigSnippets = { http: [], server: [] },
  /** Include nginx/authotron-metrics.conf (the `metrics` instance). */
  metrics = false,
  /** Include nginx/authotron-lockout.conf (the `lockout` instance). */
  lockout = false,
): string {
  const content = CONTENT_FILE
  const access = leg.features.jsAccess
  if (bare) {
    return `
js_import bench from ${EMPTY_NJS};

server {
    listen 127.0.0.1:${port};
    access_log off;
    default_type text/plain;

    location = /none {
        alias ${content};
    }

    location = /empty {
        auth_request /_empty;
        alias ${content};
    }
    location = /_empty {
        internal;
        js_content bench.empty;
    }
${
  access
    ? `
    location = /empty-access {
        js_access bench.emptyAccess;
        alias ${content};
    }
`
    : ''
}}
`
  }
  return `
js_import bench from ${EMPTY_NJS};
${cache ? `include ${SNIPPETS}/authotron-cache.conf;` : '# no grant cache (nginx/authotron-cache.conf not included)'}
${leg.features.sharedDict ? `include ${SNIPPETS}/authotron-tokens-memory.conf;  # the token-store case` : '# no token store zone (njs 0.7.9)'}
${metrics ? `include ${SNIPPETS}/authotron-metrics.conf;` : '# no metrics (nginx/authotron-metrics.conf not included)'}
${lockout ? `include ${SNIPPETS}/authotron-lockout.conf;` : ''}
${snippets.http.map((file) => `include ${file};`).join('\n')}

# The cheapest possible sidecar: a second server block of the same worker answering 200.
upstream bench_sidecar {
    server 127.0.0.1:${ports.sidecar};
    keepalive 32;
}

server {
    listen 127.0.0.1:${ports.sidecar};
    access_log off;
    location / {
        return 200;
    }
}

server {
    listen 127.0.0.1:${port};
    access_log off;
    default_type text/plain;
    # Room for the 16 KB credentials of the basic-16k case (nginx's default, 4 8k, answers 400 to
    # any header line over 8 KB before the module sees it).
    large_client_header_buffers 4 32k;

    # /_auth and the other endpoints, as operators include them.
    include ${SNIPPETS}/authotron-endpoints.conf;
${snippets.server.map((file) => `    include ${file};`).join('\n')}

    location = /none {
        alias ${content};
    }

    location = /floor {
        auth_request /_floor;
        alias ${content};
    }
    location = /_floor {
        internal;
        return 204;
    }

    location = /sidecar {
        auth_request /_sidecar;
        alias ${content};
    }
    location = /_sidecar {
        internal;
        proxy_pass http://bench_sidecar;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_pass_request_body off;
        proxy_set_header Content-Length "";
    }

    location = /empty {
        auth_request /_empty;
        alias ${content};
    }
    location = /_empty {
        internal;
        js_content bench.empty;
    }

    location = /basic {
        include ${SNIPPETS}/authotron-protect.conf;
        alias ${content};
    }

    # Refused credentials (issue 19's long Basic credentials): the 401 becomes the static file, so
    # that wrk counts every answer as 2xx; the refusal itself runs in full.
    location = /basic-refused {
        include ${SNIPPETS}/authotron-protect.conf;
        error_page 401 =200 /none;
        alias ${content};
    }

    location = /basic-rule {
        set $authotron_require "realm=localrealm role=writer";
        include ${SNIPPETS}/authotron-protect.conf;
        alias ${content};
    }

    location = /bearer {
        include ${SNIPPETS}/authotron-protect.conf;
        alias ${content};
    }
${
  access
    ? `
    location = /access {
        include ${SNIPPETS}/authotron-access.conf;
        alias ${content};
    }
`
    : `
    # js_access needs njs >= 0.9.9: no /access on this leg.
`
}}
`
}
