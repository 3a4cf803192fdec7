/**
 * The YAML of `type: openid-offline` (authotron-behaviour.md §4.5): the reference's keys and this
 * project's extensions (README, docs/configuration.md).
 */
import { member, string, UnitSchema } from '../../compiler/schema-parts'
import { caFileProperty, httpUrl } from '../jwt/schema'

/** How long an "active" introspection answer is reused (the reference's 120 s). */
export const INTROSPECTION_TTL_SECONDS = 120
/** How long an exchanged access token is reused (the reference's 10 s). */
export const EXCHANGE_TTL_SECONDS = 10
/**
 * How long a "not valid" answer is reused by default. The reference keeps it as long as a valid
 * one (120 s, 240 s): a token revoked and re-issued, or a transient IAM hiccup, then locks a user
 * out for minutes (authotron-behaviour.md §14 item 9). A few seconds still absorb a flood.
 */
export const DEFAULT_INVALID_CACHE_TTL_SECONDS = 5
export const MAX_INVALID_CACHE_TTL_SECONDS = 60

export const invalidCacheTtlProperty = {
  type: 'integer',
  minimum: 0,
  maximum: MAX_INVALID_CACHE_TTL_SECONDS,
  default: DEFAULT_INVALID_CACHE_TTL_SECONDS,
  description:
    'Extension: seconds a "not valid" answer of the IAM is reused for the same token (0: never). ' +
    'The reference reuses it as long as a valid one.',
}

export const openIdOfflineProviderSchema: UnitSchema = {
  definition: 'OpenIDOfflineProviderConfig',
  defs: {
    OpenIDOfflineProviderConfig: member(
      'openid-offline',
      ['cert_uri', 'public_client_id', 'private_client_id', 'private_client_secret', 'iam_url'],
      {
        cert_uri: httpUrl(
          "JWKS URL that verifies the access tokens the refresh-token grant returns (as a jwt provider's cert_uri).",
        ),
        public_client_id: string('The client the access token is issued to (form field `client_id` of the grant).'),
        private_client_id: string(
          'The confidential client that authenticates (HTTP Basic) to introspection and to the grant.',
        ),
        private_client_secret: string('Its secret: sent only to the IAM, in the Authorization header; never logged.'),
        iam_url: httpUrl(
          'Keycloak base URL: the calls go to {iam_url}/realms/{realm}/protocol/openid-connect/token[/introspect].',
        ),
        invalid_cache_ttl: invalidCacheTtlProperty,
        ca_file: caFileProperty('https iam_url and cert_uri'),
      },
    ),
  },
}
