/**
 * `type: ecmwf-api` (Bearer), authotron-behaviour.md §4.3: the credential is an ECMWF API key.
 *
 *   1. GET {uri}/who-am-i?token=<key, percent-encoded>, through the remote layer (src/remote/):
 *      answered from the cache shared by every worker (60 s; a 403 a few seconds), or by the API.
 *   2. 2xx: the body must be JSON; username = `uid` (a non-empty string), attributes =
 *      {"ecmwf-email": email} when `email` is a string; no roles, no scopes. 403: "Invalid API
 *      token". Any other status: "Unexpected status code".
 *
 * The key never becomes an attribute (the reference's 0.3.7 fix): an email equal to it is dropped.
 */
import { codedError, ErrorCode } from '../../errors'
import type { RemoteAnswer } from '../../platform'
import { callRemote, isSuccess, jsonBody, queryString } from '../../remote/request'
import { newUser, type User } from '../../user'
import type { ProviderContext, ProviderModule } from '../types'
import type { CompiledEcmwfApiProvider } from './compiled'

export const ecmwfApiProvider: ProviderModule<CompiledEcmwfApiProvider> = {
  authenticate(provider: CompiledEcmwfApiProvider, credential: string, ctx: ProviderContext): Promise<User> {
    return callRemote(ctx.platform, provider.whoAmI, {
      credential,
      query: queryString({ token: credential }),
      provider: provider.name,
    }).then((answer) => userFromWhoAmI(provider, credential, answer))
  },
}

export function userFromWhoAmI(provider: CompiledEcmwfApiProvider, credential: string, answer: RemoteAnswer): User {
  if (answer.status === 403) throw codedError(ErrorCode.RemoteInvalidCredential, 'Invalid API token')
  if (!isSuccess(answer.status)) {
    throw codedError(ErrorCode.RemoteStatus, 'Unexpected status code: ' + answer.status)
  }
  const body = jsonBody(answer)
  const fields = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as { [key: string]: unknown }) : {}
  const uid = fields.uid
  // The reference accepts a missing uid as the user "" (§4.3 ⚠); a user without a name is refused
  // here (docs/compatibility.md).
  if (typeof uid !== 'string' || uid === '') {
    throw codedError(ErrorCode.RemoteMalformed, 'Error parsing JSON: no uid in the who-am-i answer')
  }
  const user = newUser(uid, provider.realm, [])
  const email = fields.email
  if (typeof email === 'string' && email.indexOf(credential) < 0) user.attributes['ecmwf-email'] = email
  return user
}
