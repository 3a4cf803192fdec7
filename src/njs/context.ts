/**
 * The one place that turns a handler's outcome — answers and errors alike — into the HTTP
 * response: builds the platform, runs the handler, maps errors to 401 or 500.
 */
import type { CompiledConfig } from '../config/compiled'
import { errorCode, ErrorCode } from '../errors'
import { HttpAnswer, unauthorized } from '../auth/answers'
import { isPromise, MaybePromise } from '../maybe-async'
import type { GrantCacheMiss } from '../auth/grant'
import type { Platform } from '../platform'
import { AccessVariable } from './access-variables'
import { njsPlatform } from './platform'

export interface HandlerContext {
  r: NginxHTTPRequest
  config: CompiledConfig
  platform: Platform
  /** authenticate/access: the top layer's grant-cache miss (src/njs/cached-grant.ts). */
  grantMiss?: GrantCacheMiss
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

/** The answer's headers that the access handler hands to the location as variables. */
const ACCESS_VARIABLES: { [header: string]: string } = {
  Authorization: AccessVariable.Jwt,
  'X-Auth-Username': AccessVariable.Username,
  'X-Auth-Realm': AccessVariable.Realm,
  'X-Auth-Roles': AccessVariable.Roles,
}

/** A handler of the module's core: the top layer (index.ts) has already found the config. */
export type CoreHandler = (r: NginxHTTPRequest, config: CompiledConfig, grantMiss?: GrantCacheMiss) => void

export function handler(run: (ctx: HandlerContext) => MaybePromise<HttpAnswer>, options: HandlerOptions): CoreHandler {
  return function (r: NginxHTTPRequest, config: CompiledConfig, grantMiss?: GrantCacheMiss) {
    if (options.readOnly && r.method !== 'GET' && r.method !== 'HEAD') {
      r.headersOut['Allow'] = READ_ONLY_METHODS
      r.return(405)
      return
    }
    const ctx: HandlerContext = { r, config, platform: njsPlatform(r, config.logLevel), grantMiss }
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
    code: code || ErrorCode.Unexpected,
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
