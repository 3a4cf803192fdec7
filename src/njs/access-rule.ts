/**
 * The location's access rule (src/rules/access-rule.ts), checked by every grant tier once the user
 * is known and before the grant is sent: the grant-cache hit (cached-grant.ts), the precomputed
 * Basic path and the full pipeline (context.ts). A lazy unit (access-rule.load.ts): a location
 * without a rule pays one variable read in the top layer and never instantiates this.
 *
 * A refusal is 403 with a JSON body naming the unmet kinds of requirement. Through auth_request,
 * nginx drops the subrequest's body: the body also travels in X-Authotron-Forbidden, which
 * authotron-protect.conf hands to the @authotron_forbidden location (authotron-endpoints.conf).
 * A rule that cannot be parsed or names an unknown rule answers 500, with one error-log line that
 * names the client's path (so the location), the rule and why.
 */
import type { CompiledConfig } from '../config/compiled'
import { errorCode, ErrorCode } from '../errors'
import { userJsonTextOfEntry } from '../auth/grant-entry'
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
    const code = errorCode(e) || ErrorCode.Unexpected
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

/** refusedByRule for a grant-cache entry (grant-entry.ts), whose user JSON comes last. */
export function refusedByRuleOfEntry(
  r: NginxHTTPRequest,
  config: CompiledConfig,
  rule: string,
  entry: string,
  accessPhase: boolean | undefined,
): boolean {
  const userJson = userJsonTextOfEntry(entry)
  // An entry without a user cannot be checked: refuse rather than let it through.
  return refusedByRule(r, config, rule, userJson === undefined ? 'null' : userJson, accessPhase)
}
