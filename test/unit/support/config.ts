/**
 * Compiled configs for unit tests of the request path, built the way `authotron compile` builds
 * them (the compiler's own tests check that it does).
 */
import { createHash } from 'node:crypto'
import {
  COMPILED_FORMAT,
  CompiledAugmenter,
  CompiledConfig,
  CompiledProvider,
  KEY_PREFIX,
} from '../../../src/config/compiled'

export function sha256Verifier(password: string) {
  return { form: 'plain' as const, sha256: createHash('sha256').update(password, 'utf8').digest('base64') }
}

export function plainProvider(
  name: string,
  realm: string,
  users: { username: string; password: string; roles?: string[] }[],
): CompiledProvider {
  const table: { [key: string]: { verifier: ReturnType<typeof sha256Verifier>; roles: string[] }[] } = {}
  for (const user of users) {
    const key = KEY_PREFIX + user.username
    ;(table[key] ??= []).push({ verifier: sha256Verifier(user.password), roles: user.roles ?? [] })
  }
  return { type: 'plain', name, realm, filterRealm: realm.toLowerCase(), scheme: 'Basic', users: table }
}

export function testConfig(providers: CompiledProvider[], augmenters: CompiledAugmenter[] = []): CompiledConfig {
  const plans: CompiledConfig['augmenterPlans'] = {}
  augmenters.forEach((augmenter, index) => {
    const plan = (plans[KEY_PREFIX + augmenter.realm] ??= { parallel: [], serial: [] })
    ;(augmenter.type === 'plain_advanced' ? plan.serial : plan.parallel).push(index)
  })
  return {
    format: COMPILED_FORMAT,
    configId: 'test',
    compilerVersion: 'test',
    jwt: { iss: 'authotron-test', exp: 3600, secret: 'some-secret-key' },
    includeLegacyHeaders: true,
    timeoutMs: 200,
    challenge: 'Basic realm="test"',
    providers,
    providersByScheme: {
      Basic: providers.flatMap((p, i) => (p.scheme === 'Basic' ? [i] : [])),
      Bearer: providers.flatMap((p, i) => (p.scheme === 'Bearer' ? [i] : [])),
    },
    augmenters,
    augmenterPlans: plans,
    providersBody: '{"providers":[]}',
    augmentersBody: '{"augmenters":[]}',
    logLevel: 'debug',
  }
}

export function basic(username: string, password: string): string {
  return 'Basic ' + Buffer.from(`${username}:${password}`, 'utf8').toString('base64')
}
