/**
 * `type: efas-api` (Bearer), authotron-behaviour.md §4.4: the credential is an EFAS token.
 *
 *   1. GET {uri}?token=<token, percent-encoded> (`&token=` when uri has a query), through the
 *      remote layer (src/remote/): the cache shared by every worker (60 s; a 403 a few seconds).
 *   2. 2xx: the body must be a JSON object with `username` (string), `roles` (optional list of
 *      strings; null is an error, as in the reference), `email` (optional string or null). The user:
 *      username, the configured realm, roles, attributes {"email"} when a string; no scopes.
 *      403: "Invalid API token". Any other status: "Unexpected status code".
 *
 * The token never becomes an attribute: an email holding it is dropped.
 */
import { codedError, ErrorCode } from '../../errors'
import type { RemoteAnswer } from '../../platform'
import { callRemote, isSuccess, jsonBody, queryString } from '../../remote/request'
import { newUser, type User } from '../../user'
import type { ProviderContext, ProviderModule } from '../types'
import type { CompiledEfasApiProvider } from './compiled'

export const efasApiProvider: ProviderModule<CompiledEfasApiProvider> = {
  authenticate(provider: CompiledEfasApiProvider, credential: string, ctx: ProviderContext): Promise<User> {
    return callRemote(ctx.platform, provider.lookup, {
      credential,
      query: queryString({ token: credential }),
      provider: provider.name,
    }).then((answer) => userFromEfas(provider, credential, answer))
  },
}

export function userFromEfas(provider: CompiledEfasApiProvider, credential: string, answer: RemoteAnswer): User {
  if (answer.status === 403) throw codedError(ErrorCode.RemoteInvalidCredential, 'Invalid API token')
  if (!isSuccess(answer.status)) {
    throw codedError(ErrorCode.RemoteStatus, 'Unexpected status code: ' + answer.status)
  }
  const body = jsonBody(answer)
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw malformed('the answer is not a JSON object')
  }
  const fields = body as { [key: string]: unknown }
  if (typeof fields.username !== 'string' || fields.username === '') throw malformed('no username')
  let roles: string[] = []
  if (fields.roles !== undefined) {
    if (!Array.isArray(fields.roles)) throw malformed('roles is not a list')
    for (let i = 0; i < fields.roles.length; i++) {
      if (typeof fields.roles[i] !== 'string') throw malformed('a role is not a string')
    }
    roles = (fields.roles as string[]).slice()
  }
  const email = fields.email
  if (email !== undefined && email !== null && typeof email !== 'string') throw malformed('email is not a string')
  const user = newUser(fields.username, provider.realm, roles)
  if (typeof email === 'string' && email.indexOf(credential) < 0) user.attributes.email = email
  return user
}

function malformed(reason: string) {
  return codedError(ErrorCode.RemoteMalformed, 'Error parsing JSON: ' + reason)
}
