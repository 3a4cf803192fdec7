/**
 * The runtime legs: the nginx + njs builds the same dist/ bundle must pass on
 * (docs: njs-runtime.md §1). Tests pick them with AOT_LEGS (a comma list; default: every local
 * leg). A selected leg whose binaries are missing fails loudly with the command that fixes it.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { RUNTIMES_DIR } from './paths'

export type LocalLegName = 'bookworm' | 'trixie' | 'sid' | 'sid-qjs'
export type LegName = LocalLegName | 'docker'

export const LOCAL_LEG_NAMES: readonly LocalLegName[] = ['bookworm', 'trixie', 'sid', 'sid-qjs']
export const LEG_NAMES: readonly LegName[] = [...LOCAL_LEG_NAMES, 'docker']
/** The image of the `docker` leg. */
export const DOCKER_IMAGE = 'nginx:stable'

export type JsEngine = 'njs' | 'QuickJS'

/** What njs version a leg is known to ship, and so which directives its configs may use. */
export interface LegFeatures {
  /** `js_shared_dict_zone` and `ngx.shared` (njs ≥ 0.8.0). */
  sharedDict: boolean
  /** `js_access` (njs ≥ 0.9.9). */
  jsAccess: boolean
  /** `js_engine` (njs ≥ 0.8.6). */
  jsEngineDirective: boolean
}

export interface RuntimeLeg {
  name: LegName
  /** One line for people: where the build comes from. */
  description: string
  /** `local`: an nginx binary on this machine; `docker`: the official image via testcontainers. */
  kind: 'local' | 'docker'
  /** The versions this leg runs. `exact`: they never change; else they are the lowest accepted. */
  expected: { nginx: string; njs: string; engine: JsEngine; exact: boolean }
  features: LegFeatures
  /** Absolute path of ngx_http_js_module.so, as nginx (or the container) sees it. */
  jsModulePath: string
  /** The main-context line that loads the njs module. */
  loadModuleLine: string
  /** Lines the harness adds inside `http {}` (the engine choice). */
  httpLines: string[]
  /**
   * The group nginx's workers run as when the master is root (no `user` directive): they must be
   * able to read the compiled config, which QuickJS reads in the worker.
   */
  workerGroupId: number
  /** The command that starts this leg's nginx binary with `args` (local legs only). */
  nginxCommand(args: string[]): { file: string; args: string[] }
  /** Why this leg cannot run here, with the command that fixes it; undefined when it can. */
  missing(): string | undefined
}

/** `a` ≥ `b` for dotted version numbers. */
export function versionAtLeast(a: string, b: string): boolean {
  const x = a.split('.').map(Number)
  const y = b.split('.').map(Number)
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0)
    if (d !== 0) return d > 0
  }
  return true
}

function featuresOf(njsVersion: string): LegFeatures {
  return {
    sharedDict: versionAtLeast(njsVersion, '0.8.0'),
    jsAccess: versionAtLeast(njsVersion, '0.9.9'),
    jsEngineDirective: versionAtLeast(njsVersion, '0.8.6'),
  }
}

/** Debian's builds fall back to nobody:nogroup; the official image's is built for nginx:nginx. */
const NOGROUP_GID = 65534
const NGINX_IMAGE_GID = 101

const SYSTEM_NGINX = '/usr/sbin/nginx'
const SYSTEM_JS_MODULE = '/usr/lib/nginx/modules/ngx_http_js_module.so'

function bookworm(): RuntimeLeg {
  const expected = { nginx: '1.22.1', njs: '0.7.9', engine: 'njs' as const, exact: true }
  return {
    name: 'bookworm',
    description: "Debian 12's packages nginx-light + libnginx-mod-http-js, installed system-wide",
    kind: 'local',
    expected,
    features: featuresOf(expected.njs),
    jsModulePath: SYSTEM_JS_MODULE,
    loadModuleLine: `load_module ${SYSTEM_JS_MODULE};`,
    httpLines: [],
    workerGroupId: NOGROUP_GID,
    nginxCommand: (args) => ({ file: SYSTEM_NGINX, args }),
    missing() {
      const absent = [SYSTEM_NGINX, SYSTEM_JS_MODULE].filter((path) => !existsSync(path))
      if (absent.length === 0) return undefined
      return (
        `leg bookworm: ${absent.join(' and ')} not found. Fix: ` +
        'apt-get update && apt-get install -y nginx-light libnginx-mod-http-js njs'
      )
    },
  }
}

/** A newer Debian build unpacked by test/runtimes/fetch.sh, started through its own ld-linux. */
function unpacked(
  name: LocalLegName,
  folder: 'trixie' | 'sid',
  expected: RuntimeLeg['expected'],
  description: string,
  runtimesDir: string,
): RuntimeLeg {
  const root = join(runtimesDir, folder, 'root')
  const libDirs = [join(root, 'usr/lib/x86_64-linux-gnu'), join(root, 'lib/x86_64-linux-gnu')]
  const loader = join(root, 'usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2')
  const binary = join(root, 'usr/sbin/nginx')
  const jsModulePath = join(root, 'usr/lib/nginx/modules/ngx_http_js_module.so')
  return {
    name,
    description,
    kind: 'local',
    expected,
    features: featuresOf(expected.njs),
    jsModulePath,
    loadModuleLine: `load_module ${jsModulePath};`,
    httpLines: expected.engine === 'QuickJS' ? ['js_engine qjs;'] : [],
    workerGroupId: NOGROUP_GID,
    nginxCommand: (args) => ({ file: loader, args: ['--library-path', libDirs.join(':'), binary, ...args] }),
    missing() {
      const ready = join(runtimesDir, folder, 'ready')
      const absent = [ready, loader, binary, jsModulePath].filter((path) => !existsSync(path))
      if (absent.length === 0) return undefined
      return `leg ${name}: ${absent[0]} not found. Fix: bash test/runtimes/fetch.sh ${folder}`
    },
  }
}

function docker(): RuntimeLeg {
  // The image's njs moves with the image; per the njs changelog it is 0.9.x. Treated as at least
  // 0.9.0, so js_access (0.9.9) is not assumed.
  const expected = { nginx: '1.26.0', njs: '0.9.0', engine: 'njs' as const, exact: false }
  const jsModulePath = '/usr/lib/nginx/modules/ngx_http_js_module.so'
  return {
    name: 'docker',
    description: `the official ${DOCKER_IMAGE} image, run through testcontainers`,
    kind: 'docker',
    expected,
    features: featuresOf(expected.njs),
    jsModulePath,
    loadModuleLine: `load_module ${jsModulePath};`,
    httpLines: [],
    workerGroupId: NGINX_IMAGE_GID,
    nginxCommand: () => {
      throw new Error('leg docker: nginx runs inside a container (test/nginx-harness/docker.ts)')
    },
    // Reachability of an engine is asynchronous: see dockerEngineProblem() in docker.ts.
    missing: () => undefined,
  }
}

export interface LegOptions {
  /** Where fetch.sh unpacked the newer builds; default `<repo>/.runtimes`. */
  runtimesDir?: string
}

const LEGS: { [name in LegName]: (runtimesDir: string) => RuntimeLeg } = {
  bookworm,
  trixie: (runtimesDir) =>
    unpacked(
      'trixie',
      'trixie',
      { nginx: '1.26.3', njs: '0.8.9', engine: 'njs', exact: true },
      "Debian 13's nginx + libnginx-mod-http-js, unpacked into .runtimes/trixie",
      runtimesDir,
    ),
  sid: (runtimesDir) =>
    unpacked(
      'sid',
      'sid',
      { nginx: '1.30.0', njs: '1.0.0', engine: 'njs', exact: false },
      "Debian unstable's nginx + libnginx-mod-http-js, unpacked into .runtimes/sid",
      runtimesDir,
    ),
  'sid-qjs': (runtimesDir) =>
    unpacked(
      'sid-qjs',
      'sid',
      { nginx: '1.30.0', njs: '1.0.0', engine: 'QuickJS', exact: false },
      'the sid build with `js_engine qjs;` (QuickJS)',
      runtimesDir,
    ),
  docker,
}

export function isLegName(name: string): name is LegName {
  return (LEG_NAMES as readonly string[]).includes(name)
}

export function legByName(name: string, options: LegOptions = {}): RuntimeLeg {
  if (!isLegName(name)) {
    throw new Error(`unknown runtime leg '${name}' (known: ${LEG_NAMES.join(', ')})`)
  }
  return LEGS[name](options.runtimesDir ?? RUNTIMES_DIR)
}

/** The legs named by AOT_LEGS (comma-separated), or every local leg when it is unset or empty. */
export function selectedLegs(env: NodeJS.ProcessEnv = process.env): RuntimeLeg[] {
  const names = (env.AOT_LEGS ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '')
  return (names.length > 0 ? [...new Set(names)] : LOCAL_LEG_NAMES).map(legByName)
}

/** Throws, with the command that fixes it, when `leg` cannot run on this machine. */
export function assertLegAvailable(leg: RuntimeLeg): void {
  const problem = leg.missing()
  if (problem !== undefined) {
    const error = new Error(problem) as Error & { code: string }
    error.code = 'ERR_LEG_MISSING'
    throw error
  }
}
