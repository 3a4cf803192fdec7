/**
 * The JSON Schema (draft 2020-12) of the configuration authotron-njs accepts: the reference's
 * v1.0.0 and v2.0.0 documents (authotron-behaviour.md §2) plus this project's extensions, each
 * marked "Extension" in its description. `authotron schema` prints it; validate.ts checks
 * documents against it with ajv.
 *
 * Like the reference schema it never sets `additionalProperties: false`: unknown keys are
 * accepted (unknown-keys.ts warns about them). Unlike it, tagged unions are `if`/`then` on the tag
 * rather than `oneOf`, so a mistake inside a provider is reported once, against the provider's own
 * type, instead of once per type it does not match.
 *
 * `errorMessage` (an annotation other validators ignore) replaces every error raised inside the
 * schema that carries it, for constraints whose raw errors would not read well.
 */
import { SUPPORTED_ALGORITHMS } from '../jwt/algorithms'
import { DEFAULT_LEEWAY_SECONDS } from '../jwt/claims'
import { DEFAULT_JWKS_TTL_SECONDS } from './jwt-provider'

export const PROVIDER_TYPES = [
  'plain',
  'jwt',
  'ecmwf-api',
  'efas-api',
  'openid-offline',
  'ecmwf-token-generator',
] as const
export const AUGMENTER_TYPES = ['plain', 'plain_advanced', 'ldap'] as const
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error'] as const
export const CONFIG_VERSIONS = ['1.0.0', '2.0.0'] as const

/** Timers beyond 2^31−1 ms overflow in NGINX and njs (and in Node), so that is the ceiling. */
export const MAX_TIMEOUT_MS = 2147483647

export type JsonSchema = { [keyword: string]: unknown }

const string = (description?: string): JsonSchema =>
  description === undefined ? { type: 'string' } : { type: 'string', description }
const stringList = (description?: string): JsonSchema => ({
  type: 'array',
  items: { type: 'string' },
  ...(description === undefined ? {} : { description }),
})
const ref = (name: string): JsonSchema => ({ $ref: `#/$defs/${name}` })
const stringOrList = (description: string): JsonSchema => ({
  anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' }, minItems: 1 }],
  description,
  errorMessage: 'expected a string or a non-empty list of strings',
})

/** Values written into nginx snippets: nothing nginx would read as syntax or a variable. */
const JWKS_URL_PATTERN = '^https?://[^\\s"\'\\\\$;{}]+$'
const NGINX_SAFE_ABSOLUTE_PATH = '^/[^\\s"\'\\\\$;{}]*$'

/** `{ if: tag == value, then: $ref }` for each member of a tagged union. */
function taggedUnion(tag: string, members: { [value: string]: string }): JsonSchema[] {
  return Object.entries(members).map(([value, definition]) => ({
    if: { properties: { [tag]: { const: value } }, required: [tag] },
    then: ref(definition),
  }))
}

/** A provider or augmenter: `type`, `name`, `realm` and the keys of its type. */
function member(
  type: string,
  required: string[],
  properties: { [key: string]: JsonSchema },
): JsonSchema {
  return {
    type: 'object',
    required: ['type', 'name', 'realm', ...required],
    properties: {
      type: { const: type },
      name: string('Shown in GET /providers or /augmenters and in logs; need not be unique.'),
      realm: string(),
      ...properties,
    },
  }
}

const u16 = { type: 'integer', minimum: 0, maximum: 65535 }

/** Matches what the reference accepts once it has trimmed and lower-cased the value. */
const LOG_LEVEL_PATTERN = `^\\s*(?:${LOG_LEVELS.map((level) =>
  [...level].map((c) => `[${c.toUpperCase()}${c}]`).join(''),
).join('|')})\\s*$`

export const CONFIG_SCHEMA: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'Config',
  description:
    'Auth-O-Tron configuration as compiled by `authotron compile` (authotron-njs). Reference ' +
    'v1.0.0 and v2.0.0 documents are accepted; extensions are marked in their descriptions.',
  type: 'object',
  required: ['version'],
  properties: { version: { enum: [...CONFIG_VERSIONS] } },
  allOf: taggedUnion('version', { '1.0.0': 'ConfigV1', '2.0.0': 'ConfigV2' }),
  $defs: {
    ConfigV2: {
      type: 'object',
      required: ['version', 'store', 'services', 'providers', 'server', 'jwt', 'logging'],
      properties: {
        version: { const: '2.0.0' },
        store: ref('StoreConfig'),
        services: { type: 'array', items: ref('ServiceConfig') },
        providers: { type: 'array', items: ref('ProviderConfig') },
        augmenters: { type: 'array', items: ref('AugmenterConfig') },
        server: ref('ServerConfig'),
        metrics: ref('MetricsConfig'),
        jwt: ref('JWTConfig'),
        include_legacy_headers: { type: ['boolean', 'null'] },
        logging: ref('LoggingConfig'),
        auth: ref('AuthConfig'),
      },
    },
    ConfigV1: {
      type: 'object',
      required: ['version', 'store', 'services', 'providers', 'bind_address', 'jwt', 'logging'],
      properties: {
        version: { const: '1.0.0' },
        store: ref('StoreConfig'),
        services: { type: 'array', items: ref('ServiceConfig') },
        providers: { type: 'array', items: ref('ProviderConfig') },
        augmenters: { type: 'array', items: ref('AugmenterConfig') },
        bind_address: string('"host:port"; converted to server.host and server.port.'),
        jwt: ref('JWTConfig'),
        include_legacy_headers: { type: ['boolean', 'null'] },
        logging: ref('LoggingConfig'),
        auth: ref('AuthConfig'),
      },
    },
    StoreConfig: {
      type: 'object',
      required: ['enabled'],
      properties: {
        enabled: { type: 'boolean' },
        type: { const: 'mongo' },
        uri: string('MongoDB connection string.'),
        database: string(),
      },
      if: { properties: { enabled: { const: true } }, required: ['enabled'] },
      then: { required: ['type', 'uri', 'database'] },
    },
    ServiceConfig: {
      type: 'object',
      required: ['name', 'scopes'],
      properties: { name: string(), scopes: stringList() },
    },
    ServerConfig: {
      type: 'object',
      required: ['port'],
      properties: { host: { type: 'string', default: '0.0.0.0' }, port: u16 },
    },
    MetricsConfig: {
      type: 'object',
      properties: {
        enabled: { type: 'boolean', default: true },
        port: { ...u16, default: 9090 },
      },
    },
    JWTConfig: {
      type: 'object',
      required: ['iss', 'exp', 'secret'],
      properties: {
        iss: string('The `iss` claim of minted tokens.'),
        aud: {
          type: ['string', 'null'],
          description: 'Accepted and ignored, as by the reference.',
        },
        exp: { type: 'integer', description: 'Lifetime of minted tokens in seconds.' },
        secret: {
          type: 'string',
          minLength: 1,
          description: 'HS256 key (raw UTF-8 bytes). Checked: must not be empty.',
        },
      },
    },
    LoggingConfig: {
      type: 'object',
      required: ['level', 'format'],
      properties: {
        level: {
          type: 'string',
          pattern: LOG_LEVEL_PATTERN,
          description: 'trace, debug, info, warn or error (any case). Checked when compiling.',
          errorMessage: `expected one of ${LOG_LEVELS.join(', ')}`,
        },
        format: string(),
        service_name: { type: 'string', default: 'authotron' },
        service_version: string(),
      },
    },
    AuthConfig: {
      type: 'object',
      properties: {
        timeout_in_ms: {
          type: 'integer',
          minimum: 0,
          maximum: MAX_TIMEOUT_MS,
          default: 5000,
          description: 'Timeout of each provider attempt.',
        },
        grant_cache_ttl_in_ms: {
          type: 'integer',
          minimum: 0,
          maximum: MAX_TIMEOUT_MS,
          default: 30000,
          description:
            'authotron-njs: how long a successful authentication is reused per credential where the ' +
            'shared dict `authotron` exists (never past the token exp); 0 disables.',
        },
      },
    },
    ProviderConfig: {
      type: 'object',
      required: ['type'],
      properties: { type: { enum: [...PROVIDER_TYPES] } },
      allOf: taggedUnion('type', {
        plain: 'PlainAuthConfig',
        jwt: 'JWTAuthConfig',
        'ecmwf-api': 'EcmwfApiProviderConfig',
        'efas-api': 'EFASApiProviderConfig',
        'openid-offline': 'OpenIDOfflineProviderConfig',
        'ecmwf-token-generator': 'EcmwfTokenGeneratorProviderConfig',
      }),
    },
    PlainAuthConfig: {
      ...member('plain', [], {
        users: { type: 'array', items: ref('PlainUserEntry') },
        htpasswd_file: string(
          'Extension: an htpasswd file (relative to the config file) whose users follow `users`.',
        ),
        htpasswd_roles: {
          type: ['array', 'null'],
          items: { type: 'string' },
          description: 'Extension: the roles of every user of htpasswd_file (default none).',
        },
      }),
      allOf: [
        {
          anyOf: [{ required: ['users'] }, { required: ['htpasswd_file'] }],
          errorMessage: 'expected users, htpasswd_file or both',
        },
      ],
    },
    PlainUserEntry: {
      type: 'object',
      required: ['username'],
      properties: {
        username: string(),
        password: string('Clear text; exactly one of password and password_hash.'),
        password_hash: string(
          'Extension: a hashed password, e.g. from `authotron hash-password` ($pbkdf2-sha256$…).',
        ),
        roles: { type: ['array', 'null'], items: { type: 'string' } },
      },
      allOf: [
        {
          oneOf: [{ required: ['password'] }, { required: ['password_hash'] }],
          errorMessage: 'expected exactly one of password and password_hash',
        },
      ],
    },
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
      ca_file: {
        type: 'string',
        pattern: NGINX_SAFE_ABSOLUTE_PATH,
        description:
          'Extension: absolute path of the PEM CA bundle that verifies an https cert_uri ' +
          '(default /etc/ssl/certs/ca-certificates.crt).',
        errorMessage: 'expected an absolute path without spaces, quotes, backslashes, `$`, `;`, `{` or `}`',
      },
    }),
    EcmwfApiProviderConfig: member('ecmwf-api', ['uri'], { uri: string() }),
    EFASApiProviderConfig: member('efas-api', ['uri'], { uri: string() }),
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
    AugmenterConfig: {
      type: 'object',
      required: ['type'],
      properties: { type: { enum: [...AUGMENTER_TYPES] } },
      allOf: taggedUnion('type', {
        plain: 'PlainAugmenterConfig',
        plain_advanced: 'PlainAdvancedAugmenterConfig',
        ldap: 'LDAPAugmenterConfig',
      }),
    },
    PlainAugmenterConfig: member('plain', ['roles'], {
      roles: {
        type: 'object',
        additionalProperties: stringList(),
        description: 'role → usernames that get it.',
      },
    }),
    PlainAdvancedAugmenterConfig: member('plain_advanced', ['match', 'augment'], {
      match: ref('PlainAdvancedAugmenterMatcher'),
      augment: ref('PlainAdvancedAugmenterAugment'),
    }),
    PlainAdvancedAugmenterMatcher: {
      type: 'object',
      properties: { username: stringList(), role: stringList() },
    },
    PlainAdvancedAugmenterAugment: {
      type: 'object',
      properties: {
        roles: stringList(),
        attributes: { type: 'object', additionalProperties: { type: 'string' } },
      },
    },
    LDAPAugmenterConfig: member('ldap', ['uri', 'search_base', 'ldap_password'], {
      uri: string(),
      search_base: string(),
      ldap_password: string(),
      filter: { type: ['string', 'null'] },
      filters: { type: ['array', 'null'], items: { type: 'string' } },
      bind_dn: { type: ['string', 'null'] },
    }),
  },
}
