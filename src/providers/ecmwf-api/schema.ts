/** The YAML of `type: ecmwf-api`: the reference's `uri` and the remote layer's extensions (docs/remote.md). */
import { member, UnitSchema } from '../../compiler/schema-parts'
import { remoteSchemaKeys, remoteUrl } from '../../remote/compile'

/** How long a who-am-i answer is reused (the reference's 60 s). */
export const DEFAULT_ECMWF_API_CACHE_TTL_SECONDS = 60

export const ecmwfApiProviderSchema: UnitSchema = {
  definition: 'EcmwfApiProviderConfig',
  defs: {
    EcmwfApiProviderConfig: member('ecmwf-api', ['uri'], {
      uri: remoteUrl(
        'Base URL of the ECMWF API (e.g. https://api.ecmwf.int/v1); the key is checked with ' +
          'GET {uri}/who-am-i?token=<key>, through the nginx locations that ' +
          '`authotron compile --nginx-snippets` writes (docs/remote.md).',
      ),
      ...remoteSchemaKeys(DEFAULT_ECMWF_API_CACHE_TTL_SECONDS),
    }),
  },
}
