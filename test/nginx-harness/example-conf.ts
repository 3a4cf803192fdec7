/**
 * nginx/nginx.conf is written for an operator's install. The demo and the seed-flow tests run that
 * very file, with its install-specific strings replaced, never a copy of it.
 */
import { readFileSync } from 'node:fs'
import type { ConfContext } from './nginx'
import { AUTHOTRON_MODULE, EXAMPLE_NGINX_CONF, REPO_ROOT } from './paths'
import type { RuntimeLeg } from './runtimes'

/** The exact strings of nginx/nginx.conf that depend on the install. */
export const EXAMPLE_INSTALL_STRINGS = {
  loadModule: 'load_module modules/ngx_http_js_module.so;',
  workerProcesses: 'worker_processes auto;',
  errorLog: 'error_log /var/log/nginx/error.log notice;',
  module: '/opt/authotron-njs/dist/authotron.js',
  installDir: '/opt/authotron-njs',
  compiledConfig: '/etc/authotron/config.json',
  listen: 'listen 8080;',
  backend: 'server 127.0.0.1:8000;',
} as const

export interface ExampleInstall {
  leg: RuntimeLeg
  /** The compiled config (`paths.config` of the harness). */
  configPath: string
  /** `host:port` nginx listens on. */
  listen: string
  /** `host:port` of the application (httpbin). */
  backend: string
  /** The njs module; default `<repo>/dist/authotron.js`. */
  modulePath?: string
  /** Where the snippets' nginx/ folder is; default the repository. */
  installDir?: string
}

/** nginx/nginx.conf for `install`: a complete file for startNginx({ complete: true }). */
export function instantiateExampleConf(install: ExampleInstall): string {
  const strings = EXAMPLE_INSTALL_STRINGS
  let text = readFileSync(EXAMPLE_NGINX_CONF, 'utf8')
  const replace = (from: string, to: string) => {
    if (!text.includes(from)) {
      throw new Error(`nginx/nginx.conf no longer contains "${from}": update test/nginx-harness/example-conf.ts`)
    }
    text = text.split(from).join(to)
  }
  // Most specific first: the module path lies inside the install folder.
  replace(strings.loadModule, install.leg.loadModuleLine)
  replace(strings.workerProcesses, 'worker_processes 1;')
  // The harness writes the error log into the prefix, at the level startNginx is given.
  replace(strings.errorLog, '# error_log: written by the test harness')
  replace(strings.module, install.modulePath ?? AUTHOTRON_MODULE)
  replace(strings.installDir, install.installDir ?? REPO_ROOT)
  replace(strings.compiledConfig, install.configPath)
  replace(strings.listen, `listen ${install.listen};`)
  replace(strings.backend, `server ${install.backend};`)
  return text
}

/**
 * A `conf` for startNginx/withNginxOnEveryLeg (with `complete: true`, a config and `httpbin`):
 * the example on the harness's port, in front of the suite's httpbin.
 */
export function exampleConf(context: ConfContext): string {
  const { leg, port, paths, httpbin } = context
  if (paths.config === undefined) throw new Error('exampleConf: give the suite a config')
  if (httpbin === undefined) throw new Error('exampleConf: start the suite with httpbin: true')
  return instantiateExampleConf({
    leg,
    configPath: paths.config,
    listen: `127.0.0.1:${port}`,
    backend: httpbin.address,
  })
}
