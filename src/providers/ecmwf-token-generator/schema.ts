/**
 * The YAML of `type: ecmwf-token-generator` (authotron-behaviour.md §4.6): the reference's keys and
 * this project's extensions (README, docs/configuration.md).
 */
import { member, string, UnitSchema } from '../../compiler/schema-parts'
import { caFileProperty, httpUrl } from '../jwt/schema'
import { invalidCacheTtlProperty } from '../openid-offline/schema'

/** How long a validation answer and an exchanged access token are reused (the reference's 240 s). */
export const VALIDATION_TTL_SECONDS = 240
export const EXCHANGE_TTL_SECONDS = 240

export const ecmwfTokenGeneratorProviderSchema: UnitSchema = {
  definition: 'EcmwfTokenGeneratorProviderConfig',
  defs: {
    EcmwfTokenGeneratorProviderConfig: member(
      'ecmwf-token-generator',
      ['cert_uri', 'client_id', 'client_secret', 'token_generator_url'],
      {
        cert_uri: httpUrl('JWKS URL that verifies the access tokens the generator returns.'),
        client_id: string('Sent in both calls (`client_id`).'),
        client_secret: string('Sent in the exchange call only; never logged.'),
        token_generator_url: httpUrl(
          'Base URL of the ECMWF token generator: {token_generator_url}/validate-token and …/admin/refresh-access-token.',
        ),
        invalid_cache_ttl: invalidCacheTtlProperty,
        ca_file: caFileProperty('https token_generator_url and cert_uri'),
      },
    ),
  },
}
