import test from 'ava'
import { ErrorCode } from '../../../../src/errors'
import type { CompiledEfasApiProvider } from '../../../../src/providers/efas-api/compiled'
import { userFromEfas } from '../../../../src/providers/efas-api/runtime'
import { compileRemoteStep } from '../../../../src/remote/compile'

const provider: CompiledEfasApiProvider = {
  type: 'efas-api',
  name: 'EFAS',
  realm: 'floods',
  filterRealm: 'efas',
  scheme: 'Bearer',
  lookup: compileRemoteStep({ url: 'https://efas/token', method: 'GET', ttl: 60, invalidStatuses: [403], invalidTtl: 5, data: { jwt: { secret: 's' } } }),
}
const answer = (status: number, body: unknown) => ({ status, body: JSON.stringify(body) })

test('2xx: username, roles, email; the configured realm; other fields dropped (§4.4)', (t) => {
  t.deepEqual(userFromEfas(provider, 't', answer(200, { username: 'flo', roles: ['a', 'b'], email: 'f@e', org: 'x' })), {
    version: 1,
    username: 'flo',
    realm: 'floods',
    roles: ['a', 'b'],
    attributes: { email: 'f@e' },
    scopes: {},
  })
  t.deepEqual(userFromEfas(provider, 't', answer(200, { username: 'n', email: null })).roles, [])
  t.deepEqual(userFromEfas(provider, 'tok', answer(200, { username: 'n', email: 'tok@x' })).attributes, {})
})

test('shape errors, 403 and other statuses carry their codes', (t) => {
  for (const body of [{ roles: [] }, { username: 1 }, { username: 'u', roles: null }, { username: 'u', roles: [1] }, { username: 'u', email: 5 }, ['u']]) {
    t.throws(() => userFromEfas(provider, 't', answer(200, body)), { code: ErrorCode.RemoteMalformed }, JSON.stringify(body))
  }
  t.throws(() => userFromEfas(provider, 't', answer(403, {})), { code: ErrorCode.RemoteInvalidCredential })
  t.throws(() => userFromEfas(provider, 't', answer(502, {})), { code: ErrorCode.RemoteStatus, message: 'Unexpected status code: 502' })
})
