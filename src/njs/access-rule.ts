/**
 * The location's access rule (src/rules/access-rule.ts), checked once the user is known, before the
 * grant is sent or stored, by the precomputed Basic path and the full pipeline (context.ts). A
 * grant-cache hit needs no check: the rule is part of the key, and a grant is stored under it only
 * once the rule has let its user in (src/auth/grant-key.ts). A lazy unit (access-rule.load.ts),
 * instantiated only on those slow paths.
 *
 * A refusal is 403 with a JSON body naming the unmet kinds of requirement. Through auth_request,
 * nginx drops the subrequest's body: the body also travels in X-Authotron-Forbidden, which
 * authotron-protect.conf hands to the @authotron_forbidden location (authotron-endpoints.conf).
 * A rule that cannot be parsed or names an unknown rule answers 500, with one error-log line that
 * names the client's path (so the location), the rule and why.
 */
import type { CompiledConfig } from '../config/compiled'
import { errorCode, LeanErrorCode } from '../errors'
import { forbiddenBody, parseAccessRule, unmetRequirements } from '../rules/access-rule'
import type { User } from '../user'

/** The response header that carries the 403's body out of an auth_request subrequest. */
export const FORBIDDEN_HEADER = 'X-Authotron-Forbidden'

/**
 * Answers 403 (or 500 for a broken rule) and returns true when `rule` does not let `user` in;
 * returns false, having sent nothing, when it does. `user` is the user or its JSON text.
 */
export function refusedByRule(
  r: NginxHTTPRequest,
  config: CompiledConfig,
  rule: string,
  user: User | string,
  accessPhase: boolean | undefined,
): boolean {
  let unmet
  try {
    unmet = unmetRequirements(parseAccessRule(rule), typeof user === 'string' ? (JSON.parse(user) as User) : user, config.accessRules)
  } catch (e) {
    const code = errorCode(e) || LeanErrorCode.Unexpected
    // The client's path names the location (in an auth_request subrequest r.uri is /_auth); the
    // query is left out, as it may carry credentials.
    const requestUri = String(r.variables.request_uri)
    const query = requestUri.indexOf('?')
    r.error(
      'authotron: access_rule.unusable code=' + code + ' path=' + JSON.stringify(query < 0 ? requestUri : requestUri.slice(0, query)) +
        ' rule=' + JSON.stringify(rule) +
        ' reason=' + JSON.stringify(e instanceof Error ? e.message : String(e)),
    )
    r.return(500)
    return true
  }
  if (unmet === undefined) return false
  const body = forbiddenBody(unmet)
  r.headersOut['Content-Type'] = 'application/json'
  if (!accessPhase) r.headersOut[FORBIDDEN_HEADER] = body
  r.return(403, body)
  return true
}

/**
 * Whether `rule` lets a user in, for src/auth/grant.ts's obtainGrant (which stores only such
 * grants). A rule that cannot be evaluated admits no one; refusedByRule then answers for it.
 */
export function admission(config: CompiledConfig, rule: string): (user: User) => boolean {
  return function (user: User) {
    try {
      return unmetRequirements(parseAccessRule(rule), user, config.accessRules) === undefined
    } catch (e) {
      return false
    }
  }
}
