import test from 'ava'
import { ErrorCode } from '../../../../src/errors'
import type { CompiledEcmwfApiProvider } from '../../../../src/providers/ecmwf-api/compiled'
import { ecmwfApiProvider, userFromWhoAmI } from '../../../../src/providers/ecmwf-api/runtime'
import { compileRemoteStep } from '../../../../src/remote/compile'
import { fakeRelay } from '../../../support/fake-relay'
import { testPlatform } from '../../support/platform'

const provider: CompiledEcmwfApiProvider = {
  type: 'ecmwf-api',
  name: 'ECMWF',
  realm: 'ecmwf',
  filterRealm: 'ecmwf',
  scheme: 'Bearer',
  whoAmI: compileRemoteStep({ url: 'https://api/v1/who-am-i', method: 'GET', ttl: 60, invalidStatuses: [403], invalidTtl: 5, data: { jwt: { secret: 's' } } }),
}
const answer = (status: number, body: unknown) => ({ status, body: typeof body === 'string' ? body : JSON.stringify(body) })

test('2xx: uid → username, email → ecmwf-email, nothing else (§4.3)', (t) => {
  t.deepEqual(userFromWhoAmI(provider, 'k', answer(200, { uid: 'adam', email: 'a@e', apikey: 'k', name: 'A' })), {
    version: 1,
    username: 'adam',
    realm: 'ecmwf',
    roles: [],
    attributes: { 'ecmwf-email': 'a@e' },
    scopes: {},
  })
  t.deepEqual(userFromWhoAmI(provider, 'k', answer(204, { uid: 'adam', email: 42 })).attributes, {})
  t.deepEqual(userFromWhoAmI(provider, 'key1', answer(200, { uid: 'adam', email: 'key1@e' })).attributes, {}, 'an email holding the key is dropped')
})

test('403 → ERR_REMOTE_INVALID_CREDENTIAL; other statuses ERR_REMOTE_STATUS; bad bodies ERR_REMOTE_MALFORMED', (t) => {
  t.throws(() => userFromWhoAmI(provider, 'k', answer(403, {})), { code: ErrorCode.RemoteInvalidCredential, message: 'Invalid API token' })
  t.throws(() => userFromWhoAmI(provider, 'k', answer(500, {})), { code: ErrorCode.RemoteStatus, message: 'Unexpected status code: 500' })
  t.throws(() => userFromWhoAmI(provider, 'k', answer(401, {})), { code: ErrorCode.RemoteStatus })
  t.throws(() => userFromWhoAmI(provider, 'k', answer(200, 'nope')), { code: ErrorCode.RemoteMalformed })
  t.throws(() => userFromWhoAmI(provider, 'k', answer(200, { email: 'x' })), { code: ErrorCode.RemoteMalformed }, 'no uid (the reference: user "")')
  t.throws(() => userFromWhoAmI(provider, 'k', answer(200, [1])), { code: ErrorCode.RemoteMalformed })
})

test('authenticate sends token=<percent-encoded key> through the remote caller', async (t) => {
  const platform = testPlatform()
  let query: string | undefined
  platform.remote = fakeRelay(platform, [provider.whoAmI], (call) => ((query = call.query), answer(200, { uid: 'u' })))
  t.is((await ecmwfApiProvider.authenticate(provider, 'a&b', { platform })).username, 'u')
  t.is(query, 'token=a%26b')
})
