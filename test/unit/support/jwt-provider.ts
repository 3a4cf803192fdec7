/**
 * The jwt provider's test fixtures: a compiled provider entry as the compiler writes it, and a
 * test platform with WebCrypto, a fake JWK Set source and, on demand, a shared store.
 */
import type { CompiledJwtProvider } from '../../../src/config/compiled'
import type { SharedStore, SignatureVerifier } from '../../../src/platform'
import { fakeJwks, FakeJwks, TEST_ENDPOINT } from './jwks'
import { testCrypto, testPlatform, TestPlatform } from './platform'
import { nodeSignatureVerifier } from './webcrypto'

export function jwtTestProvider(overrides: Partial<CompiledJwtProvider> = {}): CompiledJwtProvider {
  return {
    type: 'jwt',
    name: 'keycloak',
    realm: 'ecmwf',
    filterRealm: 'ecmwf',
    scheme: 'Bearer',
    jwks: { ...TEST_ENDPOINT, ttl: 600 },
    leeway: 60,
    cacheId: 'jwt-0-test',
    verifiedCacheTtl: 600,
    ...overrides,
  }
}

export interface MemoryStore extends SharedStore {
  entries: { [key: string]: { value: string; until: number } }
  writes: number
}

/** A SharedStore like ngx.shared: entries expire after their ttl (on the platform's clock). */
export function memoryStore(platform: TestPlatform): MemoryStore {
  const store: MemoryStore = {
    entries: {},
    writes: 0,
    get(key) {
      const entry = store.entries[key]
      return entry && entry.until > platform.now * 1000 ? entry.value : undefined
    },
    set(key, value, ttlMs) {
      store.writes++
      store.entries[key] = { value, until: platform.now * 1000 + ttlMs }
    },
  }
  return store
}

export interface JwtTestPlatform extends TestPlatform {
  jwks: FakeJwks
}

export function jwtTestPlatform(
  jwksDocument: unknown,
  options: { store?: boolean; subtle?: SignatureVerifier; now?: number } = {},
): JwtTestPlatform {
  const platform = testPlatform(options.now) as JwtTestPlatform
  platform.crypto = { ...testCrypto, subtle: options.subtle ?? nodeSignatureVerifier }
  platform.jwks = fakeJwks(jwksDocument)
  if (options.store) platform.sharedCache = memoryStore(platform)
  return platform
}
