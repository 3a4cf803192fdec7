/**
 * The YAML of `type: openid-offline` (authotron-behaviour.md §4.5): the reference's keys and this
 * project's extensions, the remote-call layer's (`cache_ttl`, `invalid_cache_ttl`, `ca_file`,
 * `resolver`; docs/remote.md) included.
 */
import { member, string, UnitSchema } from '../../compiler/schema-parts'
import { remoteSchemaKeys, remoteUrl } from '../../remote/compile'

/** How long an "active" introspection answer is reused (the reference's 120 s; `cache_ttl`). */
export const INTROSPECTION_TTL_SECONDS = 120
/** How long an exchanged access token is reused (the reference's 10 s). */
export const EXCHANGE_TTL_SECONDS = 10

export const openIdOfflineProviderSchema: UnitSchema = {
  definition: 'OpenIDOfflineProviderConfig',
  defs: {
    OpenIDOfflineProviderConfig: member(
      'openid-offline',
      ['cert_uri', 'public_client_id', 'private_client_id', 'private_client_secret', 'iam_url'],
      {
        cert_uri: remoteUrl(
          "JWKS URL that verifies the access tokens the refresh-token grant returns (as a jwt provider's cert_uri).",
        ),
        public_client_id: string('The client the access token is issued to (form field `client_id` of the grant).'),
        private_client_id: string(
          'The confidential client that authenticates (HTTP Basic) to introspection and to the grant.',
        ),
        private_client_secret: string(
          'Its secret: sent only to the IAM, in the Authorization header (written to the generated ' +
            'nginx snippet, mode 0600); never logged.',
        ),
        iam_url: remoteUrl(
          'Keycloak base URL: the calls go to {iam_url}/realms/{realm}/protocol/openid-connect/token[/introspect].',
        ),
        ...remoteSchemaKeys(INTROSPECTION_TTL_SECONDS, 'the service host and the `cert_uri` host'),
      },
    ),
  },
}
