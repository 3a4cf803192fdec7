/** The YAML of `type: efas-api`: the reference's `uri` and the remote layer's extensions (docs/remote.md). */
import { member, UnitSchema } from '../../compiler/schema-parts'
import { remoteSchemaKeys, remoteUrl } from '../../remote/compile'

/** How long an EFAS answer is reused (the reference's 60 s). */
export const DEFAULT_EFAS_API_CACHE_TTL_SECONDS = 60

export const efasApiProviderSchema: UnitSchema = {
  definition: 'EFASApiProviderConfig',
  defs: {
    EFASApiProviderConfig: member('efas-api', ['uri'], {
      uri: remoteUrl(
        'URL of the EFAS token service; the token is checked with GET {uri}?token=<token> ' +
          '(&token= when uri has a query), through the nginx locations that ' +
          '`authotron compile --nginx-snippets` writes (docs/remote.md). X-Auth-Realm and the ' +
          'challenge name this provider `efas`, whatever `realm` says; the user carries `realm`.',
      ),
      ...remoteSchemaKeys(DEFAULT_EFAS_API_CACHE_TTL_SECONDS),
    }),
  },
}
