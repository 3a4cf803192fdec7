/**
 * The YAML of `type: ecmwf-token-generator` (authotron-behaviour.md §4.6): the reference's keys and
 * this project's extensions, the remote-call layer's (`cache_ttl`, `invalid_cache_ttl`, `ca_file`,
 * `resolver`; docs/remote.md) included.
 */
import { member, string, UnitSchema } from '../../compiler/schema-parts'
import { remoteSchemaKeys, remoteUrl } from '../../remote/compile'

/** How long a validation answer is reused (the reference's 240 s; `cache_ttl`). */
export const VALIDATION_TTL_SECONDS = 240
/** How long an exchanged access token is reused (the reference's 240 s; its tokens last 300 s). */
export const EXCHANGE_TTL_SECONDS = 240

export const ecmwfTokenGeneratorProviderSchema: UnitSchema = {
  definition: 'EcmwfTokenGeneratorProviderConfig',
  defs: {
    EcmwfTokenGeneratorProviderConfig: member(
      'ecmwf-token-generator',
      ['cert_uri', 'client_id', 'client_secret', 'token_generator_url'],
      {
        cert_uri: remoteUrl('JWKS URL that verifies the access tokens the generator returns.'),
        client_id: string('Sent in both calls (`client_id`).'),
        client_secret: string('Sent in the exchange call only (its JSON body); never logged.'),
        token_generator_url: remoteUrl(
          'Base URL of the ECMWF token generator: {token_generator_url}/validate-token and …/admin/refresh-access-token.',
        ),
        ...remoteSchemaKeys(VALIDATION_TTL_SECONDS, 'the service host and the `cert_uri` host'),
      },
    ),
  },
}
