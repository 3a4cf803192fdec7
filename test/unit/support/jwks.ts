/**
 * JWK Sets for unit tests: a JwksSource that answers from two settable documents — what the cached
 * location holds and what the refresh location would fetch — and records every question, so tests
 * can count how often a refresh was asked for.
 */
import type { JwksEndpoint, JwksSource } from '../../../src/platform'
import { codedError, ErrorCode } from '../../../src/errors'

export interface FakeJwks extends JwksSource {
  /** The document the cached location answers with; undefined: unavailable. */
  current: unknown
  /** The document a refresh answers with (default: the same as current). */
  refreshed?: unknown
  /** Every question, in order: [url, refresh]. */
  requests: [string, boolean][]
}

export function fakeJwks(current: unknown, refreshed?: unknown): FakeJwks {
  const source: FakeJwks = {
    current,
    refreshed,
    requests: [],
    get(endpoint: JwksEndpoint, refresh: boolean) {
      source.requests.push([endpoint.url, refresh])
      const document = refresh && source.refreshed !== undefined ? source.refreshed : source.current
      if (document === undefined) {
        return Promise.reject(codedError(ErrorCode.JwksUnavailable, 'Failed to download certificates: 503'))
      }
      // A copy, as a fresh JSON.parse of a fetched body would be.
      return Promise.resolve(JSON.parse(JSON.stringify(document)))
    },
  }
  return source
}

export const TEST_ENDPOINT: JwksEndpoint = {
  url: 'https://idp.example/realms/test/protocol/openid-connect/certs',
  location: '/_authotron/jwks/test',
  refreshLocation: '/_authotron/jwks/test/refresh',
}
