/**
 * Handlers of fake-remote.ts that answer as ECMWF's services do (authotron-behaviour.md §4.3–4.4):
 *
 *   whoAmI(keys)    GET <uri>/who-am-i?token=KEY → 200 {"uid", "email", …} for a known key, 403
 *                   otherwise (the ECMWF API, https://api.ecmwf.int/v1/who-am-i)
 *   efasLookup(t)   GET <uri>?token=T → 200 {"username", "roles", "email", …} for a known token,
 *                   403 otherwise (the EFAS token service)
 *
 * Tokens are compared exactly, after the query's percent-decoding: a token holding `&`, `+` or `#`
 * is only recognised when the client encoded it.
 */
import type { Handler } from './fake-remote'

export interface EcmwfAccount {
  uid?: unknown
  email?: unknown
  [field: string]: unknown
}

export function whoAmI(keys: { [key: string]: EcmwfAccount }): Handler {
  return ({ query }) => {
    const key = query.get('token') ?? ''
    if (!Object.hasOwn(keys, key)) return { status: 403, body: { message: 'Invalid API key' } }
    return { status: 200, body: keys[key] }
  }
}

export interface EfasAccount {
  username?: unknown
  roles?: unknown
  email?: unknown
  [field: string]: unknown
}

export function efasLookup(tokens: { [token: string]: EfasAccount }): Handler {
  return ({ query }) => {
    const token = query.get('token') ?? ''
    if (!Object.hasOwn(tokens, token)) return { status: 403, body: { detail: 'Invalid token' } }
    return { status: 200, body: tokens[token] }
  }
}
