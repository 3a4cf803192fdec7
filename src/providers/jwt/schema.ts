/** The YAML of `type: jwt`: the reference's keys and this project's extensions (docs/jwt.md). */
import { SUPPORTED_ALGORITHMS } from '../../jwt/algorithms'
import { DEFAULT_LEEWAY_SECONDS } from '../../jwt/claims'
import { member, string, stringOrList, UnitSchema } from '../../compiler/schema-parts'
import { resolverSchemaKeys } from '../../remote/compile'

/** How long the shared JWK Set copy is used before it is fetched again (the reference's 600 s). */
export const DEFAULT_JWKS_TTL_SECONDS = 600

/** Values written into nginx snippets: nothing nginx would read as syntax or a variable. */
export const JWKS_URL_PATTERN = '^https?://[^\\s"\'\\\\$;{}]+$'
export const NGINX_SAFE_ABSOLUTE_PATH = '^/[^\\s"\'\\\\$;{}]*$'

export const jwtProviderSchema: UnitSchema = {
  definition: 'JWTAuthConfig',
  defs: {
    JWTAuthConfig: member('jwt', ['cert_uri', 'iam_realm'], {
      cert_uri: {
        type: 'string',
        pattern: JWKS_URL_PATTERN,
        description:
          'JWKS URL (http:// or https://), fetched through the nginx locations that ' +
          '`authotron compile --nginx-snippets` writes (docs/jwt.md).',
        errorMessage:
          'expected an http:// or https:// URL without spaces, quotes, backslashes, `$`, `;`, `{` or `}`',
      },
      iam_realm: string('Required and unused, as in the reference.'),
      issuer: stringOrList('Extension: the accepted `iss` values; unset, `iss` is not checked.'),
      audience: stringOrList(
        'Extension: the accepted audiences; `aud` (a string or a list) must name one. Unset, `aud` is not checked.',
      ),
      algorithms: {
        type: 'array',
        minItems: 1,
        items: { enum: [...SUPPORTED_ALGORITHMS] },
        description: 'Extension: the accepted `alg` values (default: all of them).',
        errorMessage: `expected a non-empty list of ${SUPPORTED_ALGORITHMS.join(', ')}`,
      },
      leeway: {
        type: 'integer',
        minimum: 0,
        default: DEFAULT_LEEWAY_SECONDS,
        description: 'Extension: seconds of clock skew tolerated on `exp` and `nbf`.',
      },
      jwks_ttl: {
        type: 'integer',
        minimum: 1,
        default: DEFAULT_JWKS_TTL_SECONDS,
        description:
          'Extension: seconds the JWK Set is used before it is fetched again (a token with an unknown kid ' +
          'triggers a refetch sooner, at most every 30 s).',
      },
      ca_file: caFileProperty('an https cert_uri'),
      ...resolverSchemaKeys('the `cert_uri` host'),
    }),
  },
}

/** `ca_file`: the PEM bundle nginx verifies the https URLs of a provider with. */
export function caFileProperty(what: string) {
  return {
    type: 'string',
    pattern: NGINX_SAFE_ABSOLUTE_PATH,
    description: `Extension: absolute path of the PEM CA bundle that verifies ${what} (default /etc/ssl/certs/ca-certificates.crt).`,
    errorMessage: 'expected an absolute path without spaces, quotes, backslashes, `$`, `;`, `{` or `}`',
  }
}

/** A URL nginx is configured to reach (written into generated snippets). */
export function httpUrl(description: string) {
  return {
    type: 'string',
    pattern: JWKS_URL_PATTERN,
    description,
    errorMessage: 'expected an http:// or https:// URL without spaces, quotes, backslashes, `$`, `;`, `{` or `}`',
  }
}
