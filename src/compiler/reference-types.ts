/**
 * Provider and augmenter types of the reference that this build accepts but does not implement
 * yet: their YAML is validated, a warning says they do nothing, and their keys are compiled
 * verbatim (derive.ts). Implementing one moves its entry here into its own unit folder
 * (docs/architecture.md).
 */
import type { Scheme } from '../config/compiled'
import { member, string, UnitSchema } from './schema-parts'

export const REFERENCE_PROVIDERS: { [type: string]: { scheme: Scheme; schema: UnitSchema } } = {
  'openid-offline': {
    scheme: 'Bearer',
    schema: {
      definition: 'OpenIDOfflineProviderConfig',
      defs: {
        OpenIDOfflineProviderConfig: member(
          'openid-offline',
          ['cert_uri', 'public_client_id', 'private_client_id', 'private_client_secret', 'iam_url'],
          {
            cert_uri: string(),
            public_client_id: string(),
            private_client_id: string(),
            private_client_secret: string(),
            iam_url: string(),
          },
        ),
      },
    },
  },
  'ecmwf-token-generator': {
    scheme: 'Bearer',
    schema: {
      definition: 'EcmwfTokenGeneratorProviderConfig',
      defs: {
        EcmwfTokenGeneratorProviderConfig: member(
          'ecmwf-token-generator',
          ['cert_uri', 'client_id', 'client_secret', 'token_generator_url'],
          {
            cert_uri: string(),
            client_id: string(),
            client_secret: string(),
            token_generator_url: string(),
          },
        ),
      },
    },
  },
}

export const REFERENCE_AUGMENTERS: { [type: string]: { schema: UnitSchema } } = {}
