/**
 * The one place that touches the nginx request: loads the preloaded config, builds the platform,
 * runs a handler, and turns every outcome — answers and errors alike — into the HTTP response.
 */
import { COMPILED_FORMAT, CompiledConfig } from '../config/compiled'
import { errorCode, ErrorCode } from '../errors'
import { HttpAnswer, unauthorized } from '../auth/answers'
import { isPromise, MaybePromise } from '../maybe-async'
import type { Platform } from '../platform'
import { njsPlatform } from './platform'
import fs from 'fs'

/** Declared by `js_preload_object authotron_config from …;` in nginx's http{} block. */
declare const authotron_config: CompiledConfig | undefined

export interface HandlerContext {
  r: NginxHTTPRequest
  config: CompiledConfig
  platform: Platform
}

const AUTHENTICATION_FAILURES: { [code: string]: true } = {
  [ErrorCode.HeaderMissing]: true,
  [ErrorCode.HeaderInvalid]: true,
  [ErrorCode.AllFailed]: true,
}

const READ_ONLY_METHODS = 'GET,HEAD'

export interface HandlerOptions {
  /** Answer 405 to anything but GET and HEAD (the reference's routes are GET-only). */
  readOnly: boolean
  /**
   * `js_access` mode: a 200 answer lets the request through, handing its headers to the location
   * as variables (ACCESS_VARIABLES); any other answer is sent to the client.
   */
  accessPhase?: boolean
}

/**
 * The variables a protected location reads, whether they were filled by auth_request
 * (`auth_request_set $authotron_jwt $sent_http_authorization;`) or by the access handler.
 * Declared with `js_var` in nginx/authotron-access.conf.
 */
const ACCESS_VARIABLES: { [header: string]: string } = {
  Authorization: 'authotron_jwt',
  'X-Auth-Username': 'authotron_username',
  'X-Auth-Realm': 'authotron_realm',
  'X-Auth-Roles': 'authotron_roles',
}

export function handler(
  run: (ctx: HandlerContext) => MaybePromise<HttpAnswer>,
  options: HandlerOptions,
): (r: NginxHTTPRequest) => void {
  return function (r: NginxHTTPRequest) {
    const config = loadConfig(r)
    if (config === undefined) {
      r.return(500)
      return
    }
    if (options.readOnly && r.method !== 'GET' && r.method !== 'HEAD') {
      r.headersOut['Allow'] = READ_ONLY_METHODS
      r.return(405)
      return
    }
    const ctx: HandlerContext = { r, config, platform: njsPlatform(r, config.logLevel) }
    let answer: MaybePromise<HttpAnswer>
    try {
      answer = run(ctx)
    } catch (e) {
      send(r, failureAnswer(ctx, e))
      return
    }
    const deliver = options.accessPhase ? grantAccess : send
    if (!isPromise(answer)) {
      deliver(r, answer)
      return
    }
    answer.then(
      (a) => deliver(r, a),
      (e) => send(r, failureAnswer(ctx, e)),
    )
  }
}

/** Authentication failures are 401 (§7.2); anything else is a fault of ours, logged, 500. */
function failureAnswer(ctx: HandlerContext, error: unknown): HttpAnswer {
  const code = errorCode(error)
  if (code !== undefined && AUTHENTICATION_FAILURES[code]) {
    ctx.platform.logger.log(code === ErrorCode.HeaderInvalid ? 'warn' : 'debug', 'auth.request.rejected', {
      code,
      reason: (error as Error).message,
    })
    return unauthorized(ctx.config)
  }
  ctx.platform.logger.log('error', 'auth.request.internal_error', {
    code: code || 'ERR_UNEXPECTED',
    reason: error instanceof Error ? error.message : String(error),
  })
  return { status: 500, headers: [], body: '' }
}

function send(r: NginxHTTPRequest, answer: HttpAnswer) {
  for (let i = 0; i < answer.headers.length; i++) {
    const header = answer.headers[i]
    if (header[0] === 'Content-Type') r.headersOut['Content-Type'] = header[1]
    else r.headersOut[header[0]] = header[1]
  }
  if (answer.body === '') r.return(answer.status)
  else r.return(answer.status, answer.body)
}

/** Access phase: returning without r.return lets nginx go on to the location's content. */
function grantAccess(r: NginxHTTPRequest, answer: HttpAnswer) {
  if (answer.status !== 200) {
    send(r, answer)
    return
  }
  for (let i = 0; i < answer.headers.length; i++) {
    const variable = ACCESS_VARIABLES[answer.headers[i][0]]
    if (variable !== undefined) r.variables[variable] = answer.headers[i][1]
  }
}

function loadConfig(r: NginxHTTPRequest): CompiledConfig | undefined {
  const config = typeof authotron_config !== 'undefined' ? authotron_config : readConfigFile(r)
  if (config === undefined) return undefined
  if (config.format !== COMPILED_FORMAT) {
    r.error(
      'authotron: ' + ErrorCode.ConfigFormat + ' the compiled config has format ' +
        String(config.format) + ' but this module reads format ' + COMPILED_FORMAT +
        ': recompile it with the `authotron compile` of this release, then `nginx -s reload`',
    )
    return undefined
  }
  return config
}

/**
 * QuickJS has no `js_preload_object`: there the compiled file is named by
 * `js_var $authotron_config_file <path>;` and parsed once per JS context. QuickJS reuses a context
 * for many requests, so the parse is paid rarely; a reload starts new workers with new contexts.
 */
let contextConfig: CompiledConfig | undefined
let contextConfigPath: string | undefined

function readConfigFile(r: NginxHTTPRequest): CompiledConfig | undefined {
  const path = r.variables.authotron_config_file
  if (!path) {
    r.error(
      'authotron: ' + ErrorCode.ConfigFormat + ' no compiled config: add ' +
        '`js_preload_object authotron_config from <file>.json;` (njs engine) and ' +
        '`js_var $authotron_config_file <file>.json;` (QuickJS engine) to http{}, ' +
        'with the file `authotron compile` writes',
    )
    return undefined
  }
  if (contextConfig !== undefined && contextConfigPath === path) return contextConfig
  try {
    contextConfig = JSON.parse(fs.readFileSync(path, 'utf8') as string) as CompiledConfig
    contextConfigPath = path
    return contextConfig
  } catch (e) {
    r.error('authotron: ' + ErrorCode.ConfigFormat + ' cannot read the compiled config ' + path + ': ' + String(e))
    return undefined
  }
}
