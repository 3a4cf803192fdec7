/**
 * The nginx configuration the remote providers need (docs/remote.md), generated from a compiled
 * config by `authotron compile --nginx-snippets DIR` beside the jwt provider's:
 *
 *   authotron-remote-http.conf       in http {}: the proxy_cache zone of the answers, and one
 *                                    upstream{} (keepalive) per step without a `resolver`
 *   authotron-remote-locations.conf  in every server {} that authenticates: one internal location
 *                                    per step, `<location>/<cache key>`
 *
 * Every policy that must hold across workers is nginx's, so it holds on every runtime, njs 0.7.9
 * included: answers cached per key (an HMAC of the credential — the key, the cache file and its
 * name never hold a credential), 200 for the step's TTL, "not valid" statuses a few seconds,
 * nothing else; concurrent misses of one key coalesced into one upstream call
 * (`proxy_cache_lock`; other keys never wait); the call bounded by auth.timeout_in_ms; no client
 * header forwarded (the subrequest carries the client's headers, Authorization included).
 */
import type { CompiledConfig } from '../config/compiled'
import type { CompiledRemoteMemo, CompiledRemoteStep } from './compiled'
import { DEFAULT_RESOLVER_VALID_SECONDS, REMOTE_LOCATION_PREFIX } from './compile'
import { RELAY_FAILURE_PREFIX, RELAY_LOCATION_PREFIX, RELAY_UPSTREAM_PREFIX, SEAL_HEADER } from './relay'

export const REMOTE_HTTP_SNIPPET = 'authotron-remote-http.conf'
export const REMOTE_LOCATIONS_SNIPPET = 'authotron-remote-locations.conf'
/** Debian's nginx has /var/lib/nginx; the official image has /var/cache/nginx instead. */
export const DEFAULT_REMOTE_CACHE_DIR = '/var/lib/nginx/authotron-remote'
/** The system CA bundle on Debian, Ubuntu and the official nginx image. */
const DEFAULT_CA_FILE = '/etc/ssl/certs/ca-certificates.crt'
export const REMOTE_CACHE_ZONE = 'authotron_remote'
/**
 * What a subrequest may buffer of an answer: who-am-i, EFAS and token answers are a few hundred
 * bytes. A larger answer fails the call (the provider answers 401), whatever its size.
 */
export const REMOTE_SUBREQUEST_BUFFER = '64k'
/**
 * What hop 1 buffers of the relay's answer: a sealed answer of at most REMOTE_SUBREQUEST_BUFFER
 * (base64url, 4/3 of it, plus the envelope).
 */
export const REMOTE_SEALED_BUFFER = '128k'
/** The largest envelope (query and body of one call) the relay accepts. */
const REMOTE_RELAY_BODY_LIMIT = '64k'
const RELAY_UPSTREAM = 'authotron_remote_relay'
const RELAY_SERVER_NAME = 'authotron-remote-relay'
const RELAY_FAILED = 'authotron_remote_failed'
/**
 * A hit keeps its cache file's descriptor open for the next: open, fstat and close are three of the
 * five system calls a hit made (the reads remain). nginx checks the descriptor still belongs to the
 * entry's file (the cache node's inode) before it uses it, so a replaced answer is read anew.
 */
const OPEN_FILE_CACHE = ['open_file_cache max=1000 inactive=60s;', 'open_file_cache_valid 60s;']

export interface RemoteSnippetOptions {
  /** proxy_cache_path directory (created by nginx; its parent must exist). */
  cacheDir: string
  /** The relay server's unix socket (default: beside cacheDir, `<cacheDir>.sock`). */
  socket?: string
  /** Names the generator in the header comment, e.g. `authotron-njs 0.1.0`. */
  generator: string
}

export interface RemoteSnippets {
  http: string
  locations: string
  /** True when a step sends a secret header (client credentials): write the files 0600. */
  secret: boolean
}

/** A generated location and the providers (`type "name"`) that use it. */
interface LocationUse<T> {
  value: T
  users: string[]
}

/**
 * The config's providers' top-level values that `is` accepts (their steps, their kept results),
 * once per location, each with the providers that use it.
 */
function locationUses<T extends { location: string }>(
  config: CompiledConfig,
  is: (value: unknown) => value is T,
): LocationUse<T>[] {
  const uses: LocationUse<T>[] = []
  for (const provider of config.providers) {
    const values = Object.keys(provider).map((key) => (provider as { [key: string]: unknown })[key])
    for (const value of values) {
      if (!is(value)) continue
      const label = `${provider.type} ${JSON.stringify(provider.name)}`
      const existing = uses.find((use) => use.value.location === value.location)
      if (existing === undefined) uses.push({ value, users: [label] })
      else if (!existing.users.includes(label)) existing.users.push(label)
    }
  }
  return uses
}

export function isRemoteMemo(value: unknown): value is CompiledRemoteMemo {
  return (
    value !== null &&
    typeof value === 'object' &&
    (value as CompiledRemoteMemo).memo === true &&
    typeof (value as CompiledRemoteMemo).location === 'string' &&
    (value as CompiledRemoteMemo).location.startsWith(REMOTE_LOCATION_PREFIX)
  )
}

export function isRemoteStep(value: unknown): value is CompiledRemoteStep {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as CompiledRemoteStep).location === 'string' &&
    (value as CompiledRemoteStep).location.startsWith(REMOTE_LOCATION_PREFIX) &&
    typeof (value as CompiledRemoteStep).url === 'string'
  )
}

export function remoteSnippets(config: CompiledConfig, options: RemoteSnippetOptions): RemoteSnippets {
  const uses = locationUses(config, isRemoteStep)
  const memos = locationUses(config, isRemoteMemo)
  const header = (file: string, context: string) =>
    `# ${file}: generated by \`authotron compile --nginx-snippets\` (${options.generator}) for config ` +
    `${config.configId}.\n# Include it in ${context}; regenerate it with the config (do not edit).\n`
  if (uses.length === 0) {
    const none = '# No remote provider (ecmwf-api, efas-api, …) in this config: nothing to configure.\n'
    return {
      http: header(REMOTE_HTTP_SNIPPET, 'http {}') + none,
      locations: header(REMOTE_LOCATIONS_SNIPPET, 'every server {} that authenticates') + none,
      secret: false,
    }
  }
  checkSafe(options.cacheDir, 'the remote cache directory')
  const socket = options.socket ?? remoteRelaySocket(options.cacheDir)
  checkSafe(socket, 'the relay socket path')
  const maxTtl = Math.max(...uses.map(({ value }) => value.ttl), 60)
  const http = [
    header(REMOTE_HTTP_SNIPPET, 'http {}'),
    '# Answers of the remote services, shared by every worker, keyed by an HMAC of the credential;',
    '# each answer is sealed (AES-256-GCM) under a key derived from the credential. nginx creates the',
    '# directory.',
    `proxy_cache_path ${options.cacheDir} levels=1:2 keys_zone=${REMOTE_CACHE_ZONE}:10m max_size=256m ` +
      `inactive=${maxTtl}s use_temp_path=off;`,
    '',
    '# The relay (docs/remote.md): the credential travels in request bodies to this loopback server,',
    '# which alone builds the service request holding it. Its error and access logs are off, so no',
    '# nginx log line ever holds a credential; the module logs its own reason (never the credential).',
    `upstream ${RELAY_UPSTREAM} {`,
    `    server unix:${socket};`,
    '    keepalive 16;',
    '}',
    ...uses.filter(({ value }) => value.resolver === undefined).map(({ value }) => upstreamBlock(value)),
    '',
    'server {',
    `    listen unix:${socket};`,
    `    server_name ${RELAY_SERVER_NAME};`,
    '    error_log /dev/null;',
    '    access_log off;',
    '    log_not_found off;',
    `    client_max_body_size ${REMOTE_RELAY_BODY_LIMIT};`,
    `    client_body_buffer_size ${REMOTE_RELAY_BODY_LIMIT};`,
    '    client_body_in_single_buffer on;',
    '    keepalive_requests 10000;',
    '    location / { return 404; }',
    '    # Failures of nginx itself (no answer from the service), told apart from the service\'s own 502/504.',
    `    location @${RELAY_FAILED}_timeout { return 504 "${RELAY_FAILURE_PREFIX}timeout"; }`,
    // No address tried: the host name did not resolve (only a step with a `resolver` resolves at run time).
    `    location @${RELAY_FAILED}_unreachable {`,
    `        if ($upstream_addr = "") { return 502 "${RELAY_FAILURE_PREFIX}unresolved"; }`,
    `        return 502 "${RELAY_FAILURE_PREFIX}unreachable";`,
    '    }',
    ...uses.map(({ value, users }) => relayLocations(value, users)),
    ...memos.map(({ value, users }) => relayKeepLocation(value, users)),
    '}',
  ].join('\n')
  return {
    http: http + '\n',
    locations:
      header(REMOTE_LOCATIONS_SNIPPET, 'every server {} that authenticates') +
      uses.map(({ value, users }) => stepLocation(value, users)).join('') +
      memos.map(({ value, users }) => memoLocation(value, users)).join(''),
    // The locations file holds each step's seal secret (and a client secret's Authorization header).
    secret: true,
  }
}

/** The relay's unix socket when the operator names none: beside the cache directory. */
export function remoteRelaySocket(cacheDir: string): string {
  return cacheDir.replace(/\/+$/, '') + '.sock'
}

interface ParsedUrl {
  scheme: 'http' | 'https'
  host: string
  /** host[:port] as the Host header carries it. */
  authority: string
  hostPort: string
  /** Path and query of the URL, at least `/`. */
  pathAndQuery: string
}

function parseUrl(url: string): ParsedUrl {
  checkSafe(url, 'a remote service URL')
  const parsed = new URL(url)
  const scheme = parsed.protocol === 'https:' ? 'https' : 'http'
  const port = parsed.port !== '' ? parsed.port : scheme === 'https' ? '443' : '80'
  return {
    scheme,
    host: parsed.hostname,
    authority: parsed.host,
    hostPort: `${parsed.hostname}:${port}`,
    pathAndQuery: (parsed.pathname || '/') + parsed.search,
  }
}

function stepId(step: CompiledRemoteStep): string {
  return step.location.slice(REMOTE_LOCATION_PREFIX.length)
}

function upstreamName(step: CompiledRemoteStep): string {
  return `authotron_remote_${stepId(step)}`
}

function upstreamBlock(step: CompiledRemoteStep): string {
  const url = parseUrl(step.url)
  return [
    '',
    `# ${step.url}: resolved when nginx starts or reloads (no \`resolver\` in the config).`,
    `upstream ${upstreamName(step)} {`,
    `    server ${url.hostPort};`,
    '    keepalive 16;',
    '}',
  ].join('\n')
}

/** Hop 1, in the operator's servers: the cache (per credential HMAC), coalescing, then the relay. */
function stepLocation(step: CompiledRemoteStep, users: string[]): string {
  const timeout = `${relayTimeoutMs(step)}ms`
  const headers = Object.keys(step.headers).map((name) => {
    checkSafe(name, 'a header name')
    checkQuotable(step.headers[name], 'a header value')
    return `proxy_set_header ${name} "${step.headers[name]}";`
  })
  const valid = [`proxy_cache_valid 200 ${step.ttl}s;`]
  if (step.invalidTtl > 0 && step.invalidStatuses.length > 0) {
    valid.push(`proxy_cache_valid ${step.invalidStatuses.join(' ')} ${step.invalidTtl}s;`)
  }
  const lines = [
    'internal;',
    // The subrequest's body is `<query>\n<body>` (src/remote/request.ts); no credential in its URI.
    `proxy_pass http://${RELAY_UPSTREAM}${RELAY_LOCATION_PREFIX}${stepId(step)}/;`,
    'proxy_method POST;',
    // The subrequest carries the client's headers (its Authorization too): send none of them.
    'proxy_pass_request_headers off;',
    'proxy_pass_request_body on;',
    `proxy_set_header Host "${RELAY_SERVER_NAME}";`,
    'proxy_set_header Connection "";',
    `proxy_set_header ${SEAL_HEADER} "${checkSafe(step.sealSecret, 'a seal secret')}";`,
    ...headers,
    'proxy_http_version 1.1;',
    `proxy_connect_timeout ${timeout};`,
    `proxy_send_timeout ${timeout};`,
    `proxy_read_timeout ${timeout};`,
    `subrequest_output_buffer_size ${REMOTE_SEALED_BUFFER};`,
    `proxy_cache ${REMOTE_CACHE_ZONE};`,
    // $uri is this location + the HMAC of the credential: no credential in the key or the file.
    'proxy_cache_key $uri;',
    'proxy_cache_methods GET HEAD POST;',
    ...valid,
    // The lifetimes are ours, whatever caching headers the relay passes on.
    'proxy_ignore_headers Cache-Control Expires Set-Cookie Vary X-Accel-Expires X-Accel-Redirect ' +
      'X-Accel-Limit-Rate X-Accel-Buffering X-Accel-Charset;',
    // Concurrent misses of one key wait for one call (other keys never wait), within the timeout.
    'proxy_cache_lock on;',
    `proxy_cache_lock_timeout ${lockTimeoutMs(step)}ms;`,
    `proxy_cache_lock_age ${lockTimeoutMs(step)}ms;`,
    ...OPEN_FILE_CACHE,
  ]
  const lifetimes =
    `cache ${step.ttl} s` + (step.invalidTtl > 0 ? `, ${step.invalidStatuses.join('/')} ${step.invalidTtl} s` : '')
  return (
    `\n# ${users.join(', ')}: ${step.method} ${step.url} (${lifetimes}, timeout ${step.timeoutMs} ms)\n` +
    `location ^~ ${step.location}/ {\n${lines.map((line) => `    ${line}\n`).join('')}}\n`
  )
}

/**
 * Hop 1 of a kept result (CompiledRemoteMemo), in the operator's servers: answers a kept one from
 * the cache; otherwise the relay answers a probe 204 (never cached) and seals a result handed to
 * it, which is cached for the seconds its `X-Accel-Expires` says (at most the memo's ttl). No
 * cache lock: a probe that misses must not make concurrent requests for the token wait; each runs
 * the calls, whose own locations coalesce.
 */
function memoLocation(memo: CompiledRemoteMemo, users: string[]): string {
  const timeout = `${Math.max(2, Math.floor(memo.timeoutMs * 0.95))}ms`
  const lines = [
    'internal;',
    `proxy_pass http://${RELAY_UPSTREAM}${RELAY_LOCATION_PREFIX}${memo.location.slice(REMOTE_LOCATION_PREFIX.length)}/;`,
    'proxy_method POST;',
    'proxy_pass_request_headers off;',
    'proxy_pass_request_body on;',
    `proxy_set_header Host "${RELAY_SERVER_NAME}";`,
    'proxy_set_header Connection "";',
    `proxy_set_header ${SEAL_HEADER} "${checkSafe(memo.sealSecret, 'a seal secret')}";`,
    'proxy_http_version 1.1;',
    `proxy_connect_timeout ${timeout};`,
    `proxy_send_timeout ${timeout};`,
    `proxy_read_timeout ${timeout};`,
    `subrequest_output_buffer_size ${REMOTE_SEALED_BUFFER};`,
    `proxy_cache ${REMOTE_CACHE_ZONE};`,
    // $uri is this location + the HMAC of the token: no token in the key or the file.
    'proxy_cache_key $uri;',
    'proxy_cache_methods POST;',
    `proxy_cache_valid 200 ${memo.ttl}s;`,
    // X-Accel-Expires (the relay's, from the runtime) cuts the lifetime to what the result may live.
    'proxy_ignore_headers Cache-Control Expires Set-Cookie Vary X-Accel-Redirect X-Accel-Limit-Rate ' +
      'X-Accel-Buffering X-Accel-Charset;',
    ...OPEN_FILE_CACHE,
  ]
  return (
    `\n# ${users.join(', ')}: the result kept (at most ${memo.ttl} s)\n` +
    `location ^~ ${memo.location}/ {\n${lines.map((line) => `    ${line}\n`).join('')}}\n`
  )
}

/** Hop 2 of a kept result, in the relay server: seals what the runtime hands it (src/njs/remote-relay.ts keep). */
function relayKeepLocation(memo: CompiledRemoteMemo, users: string[]): string {
  return [
    '',
    `    # ${users.join(', ')}: the result kept`,
    `    location ^~ ${RELAY_LOCATION_PREFIX}${memo.location.slice(REMOTE_LOCATION_PREFIX.length)}/ {`,
    '        js_content authotron.remote.keep;',
    '    }',
  ].join('\n')
}

/**
 * Hop 2, in the relay server: the relay handler (src/njs/remote-relay.ts), and the internal
 * location it asks, which alone sends the credential to the service.
 */
function relayLocations(step: CompiledRemoteStep, users: string[]): string {
  const url = parseUrl(step.url)
  const https = url.scheme === 'https'
  const caFile = step.caFile ?? DEFAULT_CA_FILE
  if (https) checkSafe(caFile, 'a ca_file')
  const target = step.resolver === undefined ? upstreamName(step) : url.hostPort
  // The runtime's query goes after the URL's own (efas-api's `uri` may hold one).
  const query = url.pathAndQuery.includes('?') ? '&$args' : '$is_args$args'
  // nginx gives up a little before the provider's own timer (auth.timeout_in_ms) fires, so the
  // subrequest has always ended when the handler answers: on QuickJS (njs 1.0.2) a subrequest that
  // ends after its handler has answered crashed the worker (signal 11, seen in the hang test).
  const timeout = `${upstreamTimeoutMs(step)}ms`
  // The step's headers come from hop 1 (secrets stay in the locations file, mode 0600).
  const headers = Object.keys(step.headers).map(
    (name) => `proxy_set_header ${name} $http_${name.toLowerCase().replace(/-/g, '_')};`,
  )
  const lines = [
    'internal;',
    ...(step.resolver !== undefined
      ? [
          `resolver ${step.resolver.map((address) => checkSafe(address, 'a resolver address')).join(' ')} ` +
            `valid=${step.resolverValid ?? DEFAULT_RESOLVER_VALID_SECONDS}s;`,
          `resolver_timeout ${timeout};`,
        ]
      : []),
    `proxy_pass ${url.scheme}://${target}${url.pathAndQuery}${query};`,
    `proxy_method ${step.method};`,
    'proxy_pass_request_headers off;',
    `proxy_pass_request_body ${step.method === 'POST' ? 'on' : 'off'};`,
    `proxy_set_header Host "${url.authority}";`,
    'proxy_set_header Connection "";',
    // The relay's own request has a body (the envelope), whose length a GET must not announce.
    ...(step.method === 'POST' ? [] : ['proxy_set_header Content-Length "";']),
    ...headers,
    'proxy_http_version 1.1;',
    `proxy_connect_timeout ${timeout};`,
    `proxy_send_timeout ${timeout};`,
    `proxy_read_timeout ${timeout};`,
    // A larger answer fails this subrequest, which ends the relay's request before it answered:
    // hop 1 sees the relay close the connection (502), never the client's request.
    `subrequest_output_buffer_size ${REMOTE_SUBREQUEST_BUFFER};`,
    `error_page 504 = @${RELAY_FAILED}_timeout;`,
    `error_page 502 503 = @${RELAY_FAILED}_unreachable;`,
    ...(https
      ? [
          'proxy_ssl_server_name on;',
          `proxy_ssl_name ${url.host};`,
          'proxy_ssl_verify on;',
          'proxy_ssl_verify_depth 4;',
          `proxy_ssl_trusted_certificate "${caFile}";`,
          'proxy_ssl_session_reuse on;',
        ]
      : []),
  ]
  return [
    '',
    `    # ${users.join(', ')}: ${step.method} ${step.url}`,
    `    location ^~ ${RELAY_LOCATION_PREFIX}${stepId(step)}/ {`,
    '        js_content authotron.remote.relay;',
    '    }',
    `    location = ${RELAY_UPSTREAM_PREFIX}${stepId(step)} {`,
    ...lines.map((line) => `        ${line}`),
    '    }',
  ].join('\n')
}

/** A value written inside double quotes: spaces are fine, quotes, escapes and variables are not. */
function checkQuotable(value: string, what: string): string {
  if (/["\\$\x00-\x1f\x7f]/.test(value)) {
    throw new Error(`${what} holds a character nginx would read as syntax: ${JSON.stringify(value)}`)
  }
  return value
}

/** 95 % of auth.timeout_in_ms: hop 1's wait for the relay, which gives up on the service at 85 %. */
export function relayTimeoutMs(step: CompiledRemoteStep): number {
  return Math.max(2, Math.floor(step.timeoutMs * 0.95))
}

/**
 * 85 % of auth.timeout_in_ms, at least 1 ms: what the relay allows the service (connect, send,
 * read). The 10 % up to hop 1's wait (relayTimeoutMs) is the relay's to answer in, under load too.
 */
export function upstreamTimeoutMs(step: CompiledRemoteStep): number {
  return Math.max(1, Math.floor(step.timeoutMs * 0.85))
}

/** 90 % of auth.timeout_in_ms: how long hop 1 waits for a concurrent identical call (proxy_cache_lock). */
export function lockTimeoutMs(step: CompiledRemoteStep): number {
  return Math.max(1, Math.floor(step.timeoutMs * 0.9))
}

/** The schema keeps these out of URLs, paths and addresses; a hand-made compiled config could still hold them. */
const UNSAFE = /[\s"'\\$;{}]/

function checkSafe(value: string, what: string): string {
  if (UNSAFE.test(value)) {
    throw new Error(`${what} holds a character nginx would read as syntax: ${JSON.stringify(value)}`)
  }
  return value
}
