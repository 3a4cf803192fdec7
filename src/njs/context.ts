/**
 * The one place that turns a handler's outcome — answers and errors alike — into the HTTP
 * response: builds the platform, runs the handler, maps errors to 401 or 500.
 */
import type { CompiledConfig } from '../config/compiled'
import { codedError, errorCode, ErrorCode } from '../errors'
import { HttpAnswer, unauthorized } from '../auth/answers'
import { isPromise, MaybePromise } from '../maybe-async'
import { Grant, GrantCacheMiss, obtainGrant } from '../auth/grant'
import { NO_LEGACY } from '../auth/grant-entry'
import type { Platform } from '../platform'
import { AuthResult, recordAuthentication, UNKNOWN_REALM } from '../auth/metrics'
import loadAccessRule from './access-rule.load'
import loadLockout from './lockout.load'
import { LOCKOUT_ZONE, LockoutState, LockoutVerdict } from '../auth/lockout'
import { RuleVariable } from './access-variables'
import { sendGrant } from './grant-answer'
import { njsPlatform } from './platform'
import { authInput } from './request'
import { storeFailureAnswer } from '../store/answers'

export interface HandlerContext {
  r: NginxHTTPRequest
  config: CompiledConfig
  platform: Platform
  /** authenticate/access: the top layer's grant-cache miss (src/njs/cached-grant.ts). */
  grantMiss?: GrantCacheMiss
  /** When the handler started (ms), where metrics are recorded: a failure's duration. */
  startedMs: number
}

/** The failures that answer 401, and their `auth_requests_total.result` (§8). */
const AUTHENTICATION_FAILURES: { [code: string]: string } = {
  [ErrorCode.HeaderMissing]: AuthResult.NoAuthHeader,
  [ErrorCode.HeaderInvalid]: AuthResult.InvalidHeader,
  [ErrorCode.CredentialTooLong]: AuthResult.InvalidHeader,
  [ErrorCode.AllFailed]: AuthResult.AllFailed,
  // A locked pair's request is a refused authentication, answered as a wrong password is.
  [ErrorCode.LockedOut]: AuthResult.AllFailed,
}

/** A handler of the module's core: the top layer (index.ts) has already found the config. */
export type CoreHandler = (r: NginxHTTPRequest, config: CompiledConfig, grantMiss?: GrantCacheMiss) => void

/** A route that answers with an HttpAnswer (src/auth/answers.ts). */
export function answering(run: (ctx: HandlerContext) => MaybePromise<HttpAnswer>): CoreHandler {
  return handler(run, (ctx, answer) => send(ctx.r, answer))
}

/**
 * `authenticate` and `access`: the grant of the request's credentials, sent as every tier sends it
 * (sendGrant: the 200, or in the access phase the variables the location reads).
 */
export function granting(accessPhase: boolean): CoreHandler {
  return handler(
    (ctx) => {
      // The location's access rule (access-variables.ts), read here rather than passed down by the
      // top layer: this path is the slow one. The grant is stored only if the rule admits its user.
      const rule = ctx.r.variables[RuleVariable.Name]
      const admits = rule ? loadAccessRule().admission(ctx.config, rule) : undefined
      const lockout = lockoutGate(ctx)
      // A pair with failures takes the full pipeline: no grant is read or stored for it.
      const miss = lockout !== undefined ? { key: undefined } : ctx.grantMiss
      return obtainGrant(authInput(ctx.r, ctx.config), ctx.config, ctx.platform, miss, admits)
    },
    (ctx, grant) => {
      clearLockout(ctx)
      const rule = ctx.r.variables[RuleVariable.Name]
      if (rule && loadAccessRule().refusedByRule(ctx.r, ctx.config, rule, grant.user, accessPhase)) return
      const legacy = grant.legacy !== undefined ? grant.legacy : NO_LEGACY
      sendGrant(ctx.r, grant.token, legacy[0], legacy[1], legacy[2], ctx.config.includeLegacyHeaders, accessPhase)
    },
  )
}

/**
 * auth.lockout before any answer (src/auth/lockout.ts): throws for a locked pair (401) and where
 * the runtime cannot keep the lockout (500, the reason in the error log); returns the verdict of a
 * pair with failures (to clear on success), undefined for a clean one. The top layer has checked
 * already when it hands over its grant-cache miss; HEAD /authenticate and /whoami check here.
 */
export function lockoutGate(ctx: HandlerContext): LockoutVerdict | undefined {
  if (ctx.config.lockout === undefined) return undefined
  const verdict = ctx.grantMiss !== undefined ? ctx.grantMiss.lockout : loadLockout().lockoutVerdictOf(ctx.r, ctx.config)
  if (verdict === undefined) return undefined
  if (verdict.state === LockoutState.Locked) throw codedError(ErrorCode.LockedOut, 'locked out after repeated failures')
  if (verdict.state === LockoutState.Unavailable) {
    const njsVersion = typeof njs !== 'undefined' ? njs.version : 'unknown'
    throw codedError(
      ErrorCode.LockoutUnavailable,
      'auth.lockout needs the shared dict zone ' + LOCKOUT_ZONE + ' (njs >= 0.8.0, nginx/authotron-lockout.conf); this is njs ' +
        njsVersion + ': include the zone, or remove auth.lockout and use limit_req (README, Security)',
    )
  }
  if (ctx.grantMiss === undefined) ctx.grantMiss = { key: undefined, lockout: verdict }
  return verdict
}

/** After a success: a pair's failures below the threshold are forgotten. */
export function clearLockout(ctx: HandlerContext): void {
  const lockout = ctx.grantMiss !== undefined ? ctx.grantMiss.lockout : undefined
  if (lockout !== undefined && lockout.key !== undefined) loadLockout().clearFailures(lockout.key)
}

/** Runs `run`, hands its outcome to `deliver`, and any error to failureAnswer. */
export function handler<T extends HttpAnswer | Grant>(
  run: (ctx: HandlerContext) => MaybePromise<T>,
  deliver: (ctx: HandlerContext, outcome: T) => void,
): CoreHandler {
  return function (r: NginxHTTPRequest, config: CompiledConfig, grantMiss?: GrantCacheMiss) {
    const platform = njsPlatform(r, config.logLevel, config.metricsEnabled !== false)
    const startedMs = platform.metrics !== undefined ? platform.clock.nowMilliseconds() : 0
    const ctx: HandlerContext = { r, config, platform, grantMiss, startedMs }
    let outcome: MaybePromise<T>
    try {
      outcome = run(ctx)
    } catch (e) {
      send(r, failureAnswer(ctx, e))
      return
    }
    if (!isPromise(outcome)) {
      deliver(ctx, outcome)
      return
    }
    outcome.then(
      (value) => deliver(ctx, value),
      (e) => send(r, failureAnswer(ctx, e)),
    )
  }
}

/** Authentication failures are 401 (§7.2); anything else is a fault of ours, logged, 500. */
function failureAnswer(ctx: HandlerContext, error: unknown): HttpAnswer {
  const code = errorCode(error)
  if (code !== undefined && AUTHENTICATION_FAILURES[code]) {
    // Counted towards auth.lockout: failures of the pipeline, not a locked pair's refusals.
    if (code === ErrorCode.AllFailed && ctx.config.lockout !== undefined) loadLockout().countFailure(ctx.r, ctx.config)
    const metrics = ctx.platform.metrics
    if (metrics !== undefined) {
      const ms = ctx.platform.clock.nowMilliseconds() - ctx.startedMs
      recordAuthentication(metrics, AUTHENTICATION_FAILURES[code], UNKNOWN_REALM, ms)
    }
    // A credential over auth.max_basic_length at info: a flood of them must not fill the log at the
    // usual levels, yet an operator looking for a refused long password finds it one level down.
    const level = code === ErrorCode.HeaderInvalid ? 'warn' : code === ErrorCode.CredentialTooLong ? 'info' : 'debug'
    ctx.platform.logger.log(level, 'auth.request.rejected', {
      code,
      reason: (error as Error).message,
    })
    return unauthorized(ctx.config)
  }
  const reason = error instanceof Error ? error.message : String(error)
  const storeFailure = storeFailureAnswer(code, reason)
  if (storeFailure !== undefined) {
    if (code !== ErrorCode.StoreDisabled) ctx.platform.logger.log('warn', 'store.request.failed', { code: code as string, reason })
    return storeFailure
  }
  ctx.platform.logger.log('error', 'auth.request.internal_error', {
    code: code || ErrorCode.Unexpected,
    reason: error instanceof Error ? error.message : String(error),
  })
  return { status: 500, headers: [], body: '' }
}

/** Sends an answer; in the access phase too, where anything but a grant ends the request. */
export function send(r: NginxHTTPRequest, answer: HttpAnswer) {
  for (let i = 0; i < answer.headers.length; i++) {
    const header = answer.headers[i]
    if (header[0] === 'Content-Type') r.headersOut['Content-Type'] = header[1]
    else r.headersOut[header[0]] = header[1]
  }
  if (answer.body === '') r.return(answer.status)
  else r.return(answer.status, answer.body)
}
