/**
 * `GET /metrics` (authotron-behaviour.md §7.9, §8) against real nginx with two workers: a known
 * sequence of requests, each on a connection of its own (`listen … reuseport` spreads them over
 * both workers, and every answer names its worker), then the exposition parsed with
 * parse-prometheus-text-format and its values checked. On njs 0.7.9 the endpoint answers 501
 * naming the alternative.
 */
import test, { ExecutionContext } from 'ava'
import parsePrometheusTextFormat from 'parse-prometheus-text-format'
import { selectedLegs } from '../nginx-harness/runtimes'
import { withNginxOnEveryLeg } from '../support/suite'
import { basicHeader, header, rawRequest } from './http-client'

const yaml = `
version: 2.0.0
logging: {level: info, format: console}
store: {enabled: false}
services: []
server: {port: 8080}
jwt: {exp: 3600, iss: authotron-metrics, secret: "metrics-integration-secret"}
providers:
  - type: plain
    name: local
    realm: localrealm
    users: [{username: alice, password: wonderland}]
  - type: plain
    name: other
    realm: otherrealm
    users: [{username: carol, password: "c4rol"}]
augmenters:
  - {type: plain, name: roles, realm: localrealm, roles: {admin: [alice]}}
`

const serverBlock = ({ port, paths }: { port: number; paths: { repo: string } }) => `
    include ${paths.repo}/nginx/authotron-cache.conf;
    include ${paths.repo}/nginx/authotron-metrics.conf;
    server {
        listen 127.0.0.1:${port} reuseport;
        add_header X-Worker $pid always;
        include ${paths.repo}/nginx/authotron-endpoints.conf;
    }`

const sharedDictLegs = selectedLegs().filter((leg) => leg.features.sharedDict)
const suite = withNginxOnEveryLeg(test, { config: yaml, workers: 2, legs: sharedDictLegs, conf: serverBlock })

const oldLegs = selectedLegs().filter((leg) => !leg.features.sharedDict)
const oldSuite = withNginxOnEveryLeg(test, {
  config: yaml,
  legs: oldLegs,
  conf: ({ port, paths }) => `
    server {
        listen 127.0.0.1:${port};
        include ${paths.repo}/nginx/authotron-endpoints.conf;
    }`,
})

interface Sample {
  labels: { [name: string]: string }
  value: number
}

/**
 * The exposition, parsed. The library flattens a labelled histogram into one sample, so each
 * family is parsed twice: as written (which checks every line, HELP and TYPE), and without the
 * comment lines, which makes every sample name (_bucket, _sum, _count too) an untyped family that
 * keeps its labels.
 */
function parseExposition(text: string) {
  const families = parsePrometheusTextFormat(text)
  const types: { [name: string]: string } = {}
  for (const family of families) types[family.name] = family.type
  const helps: { [name: string]: string } = {}
  for (const family of families) helps[family.name] = family.help
  const flat = parsePrometheusTextFormat(text.replace(/^#.*\n/gm, ''))
  const samples: { [name: string]: Sample[] } = {}
  for (const family of flat) {
    // Untyped, each series' lines of one name are a family of their own: join them.
    const metrics = family.metrics as { labels?: { [name: string]: string }; value: string }[]
    for (const metric of metrics) (samples[family.name] ??= []).push({ labels: metric.labels ?? {}, value: Number(metric.value) })
  }
  return { types, helps, samples }
}

function valueOf(samples: Sample[] | undefined, labels: { [name: string]: string }): number | undefined {
  const found = (samples ?? []).filter((sample) => {
    const names = Object.keys(sample.labels)
    return names.length === Object.keys(labels).length && names.every((name) => sample.labels[name] === labels[name])
  })
  if (found.length > 1) throw new Error(`two series with the labels ${JSON.stringify(labels)}`)
  return found.length === 0 ? undefined : found[0].value
}

async function metrics(port: number) {
  const response = await rawRequest(port, '/metrics')
  return { response, parsed: parseExposition(response.body) }
}

const REFERENCE_AUTH_BUCKETS = ['0.001', '0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '10', '+Inf']

suite.serial('a fresh nginx: the reference families, HELP texts and pre-initialised zero series', async (t, nginx) => {
  const { response, parsed } = await metrics(nginx.port)
  t.is(response.status, 200)
  t.is(header(response, 'content-type'), 'text/plain; version=0.0.4; charset=utf-8')
  t.deepEqual(parsed.types, {
    auth_duration_seconds: 'HISTOGRAM',
    auth_provider_attempts_total: 'COUNTER',
    auth_provider_duration_seconds: 'HISTOGRAM',
    auth_requests_total: 'COUNTER',
    augmenter_attempts_total: 'COUNTER',
    augmenter_duration_seconds: 'HISTOGRAM',
    authotron_build_info: 'GAUGE',
  })
  t.is(parsed.helps.auth_requests_total, 'Total number of authentication attempts')
  t.is(parsed.helps.auth_provider_duration_seconds, 'Provider authentication duration in seconds')
  const requests = parsed.samples.auth_requests_total
  // Failures only with realm unknown; success for unknown and every provider and augmenter realm.
  t.deepEqual(
    requests.map((sample) => `${sample.labels.result}/${sample.labels.realm}=${sample.value}`).sort(),
    ['all_failed/unknown=0', 'invalid_header/unknown=0', 'no_auth_header/unknown=0', 'success/localrealm=0', 'success/otherrealm=0', 'success/unknown=0'],
  )
  for (const name of ['local', 'other']) {
    for (const result of ['success', 'error', 'timeout']) {
      const realm = name === 'local' ? 'localrealm' : 'otherrealm'
      t.is(valueOf(parsed.samples.auth_provider_attempts_total, { provider_name: name, provider_type: 'Basic', realm, result }), 0)
    }
  }
  t.is(valueOf(parsed.samples.augmenter_attempts_total, { augmenter_name: 'roles', augmenter_type: 'plain', realm: 'localrealm', result: 'error' }), 0)
  t.is(valueOf(parsed.samples.augmenter_duration_seconds_count, { augmenter_type: 'plain', realm: 'localrealm' }), 0)
  t.deepEqual(
    parsed.samples.auth_duration_seconds_bucket.filter((s) => s.labels.result === 'all_failed').map((s) => s.labels.le),
    REFERENCE_AUTH_BUCKETS,
  )
  t.deepEqual(
    parsed.samples.auth_provider_duration_seconds_bucket.filter((s) => s.labels.provider_name === 'local').map((s) => s.labels.le),
    REFERENCE_AUTH_BUCKETS.filter((le) => le !== '10'),
  )
  t.deepEqual(
    parsed.samples.augmenter_duration_seconds_bucket.map((s) => s.labels.le),
    REFERENCE_AUTH_BUCKETS.filter((le) => le !== '10' && le !== '5'),
  )
  t.is(parsed.samples.authotron_build_info.length, 1)
  t.is(parsed.samples.authotron_build_info[0].value, 1)
  t.regex(parsed.samples.authotron_build_info[0].labels.version, /^\d+\.\d+\.\d+/)
})

suite.serial('after a known sequence: counts per result and realm, summed over both workers; cache hits are successes', async (t, nginx) => {
  const workers = new Set<string>()
  async function send(headers: string[], expected: number) {
    const response = await rawRequest(nginx.port, '/authenticate', headers)
    t.is(response.status, expected, headers.join(' | '))
    workers.add(header(response, 'x-worker') ?? '?')
  }
  const alice = basicHeader('alice', 'wonderland')
  const carol = basicHeader('carol', 'c4rol')
  for (let i = 0; i < 2; i++) await send([], 401) // no_auth_header
  await send(['Authorization: Basic a, Basic b, Basic c, Basic d'], 401) // invalid_header: 4 parts
  for (let i = 0; i < 3; i++) await send([basicHeader('alice', 'wrong')], 401) // all_failed; both providers err
  await send([alice], 200) // the precomputed grant: a success, no provider run
  for (let i = 0; i < 4; i++) await send([alice], 200) // grant-cache hits
  await send([alice, 'X-Auth-Realm: localrealm'], 200) // the full pipeline: provider, augmenter
  for (let i = 0; i < 2; i++) await send([carol, 'X-Auth-Realm: otherrealm'], 200) // full, then a hit
  // More hits until both workers have answered some (reuseport hashes each connection).
  let localSuccesses = 6
  for (let i = 0; i < 20 && workers.size < 2; i++, localSuccesses++) await send([alice], 200)
  t.true(workers.size >= 2, `answers came from ${[...workers].join(', ')}`)

  const { parsed } = await metrics(nginx.port)
  const requests = parsed.samples.auth_requests_total
  t.is(valueOf(requests, { realm: 'unknown', result: 'no_auth_header' }), 2)
  t.is(valueOf(requests, { realm: 'unknown', result: 'invalid_header' }), 1)
  t.is(valueOf(requests, { realm: 'unknown', result: 'all_failed' }), 3)
  // Every success, whichever worker answered it: precomputed, hits and the full pipeline alike.
  t.is(valueOf(requests, { realm: 'localrealm', result: 'success' }), localSuccesses)
  t.is(valueOf(requests, { realm: 'otherrealm', result: 'success' }), 2)
  t.is(valueOf(requests, { realm: 'unknown', result: 'success' }), 0)
  // Provider runs: the three wrong passwords tried both Basic providers; X-Auth-Realm filtered.
  const attempts = parsed.samples.auth_provider_attempts_total
  t.is(valueOf(attempts, { provider_name: 'local', provider_type: 'Basic', realm: 'localrealm', result: 'error' }), 3)
  t.is(valueOf(attempts, { provider_name: 'local', provider_type: 'Basic', realm: 'localrealm', result: 'success' }), 1)
  t.is(valueOf(attempts, { provider_name: 'other', provider_type: 'Basic', realm: 'otherrealm', result: 'error' }), 3)
  t.is(valueOf(attempts, { provider_name: 'other', provider_type: 'Basic', realm: 'otherrealm', result: 'success' }), 1)
  t.is(valueOf(attempts, { provider_name: 'other', provider_type: 'Basic', realm: 'otherrealm', result: 'timeout' }), 0)
  t.is(valueOf(parsed.samples.augmenter_attempts_total, { augmenter_name: 'roles', augmenter_type: 'plain', realm: 'localrealm', result: 'success' }), 1)
  t.is(valueOf(parsed.samples.augmenter_duration_seconds_count, { augmenter_type: 'plain', realm: 'localrealm' }), 1)
  t.is(valueOf(parsed.samples.auth_provider_duration_seconds_count, { provider_name: 'local', provider_type: 'Basic', realm: 'localrealm' }), 4)

  // Each counter is its histogram's count; buckets are cumulative and end at the count.
  for (const sample of requests) {
    t.is(valueOf(parsed.samples.auth_duration_seconds_count, sample.labels), sample.value)
    const buckets = parsed.samples.auth_duration_seconds_bucket.filter(
      (b) => b.labels.realm === sample.labels.realm && b.labels.result === sample.labels.result,
    )
    t.deepEqual(buckets.map((b) => b.labels.le), REFERENCE_AUTH_BUCKETS)
    for (let i = 1; i < buckets.length; i++) t.true(buckets[i].value >= buckets[i - 1].value)
    t.is(buckets[buckets.length - 1].value, sample.value)
    t.true(valueOf(parsed.samples.auth_duration_seconds_sum, sample.labels)! >= 0)
  }
})

async function notSharedDict(t: ExecutionContext, port: number) {
  const response = await rawRequest(port, '/metrics')
  t.is(response.status, 501)
  t.regex(response.body, /^metrics need a shared dict \(njs >= 0\.8\.0\); .*log_format authotron_auth \(README, "Metrics"\) \[njs 0\.7\.9\]\n$/)
  // Authentication itself is unaffected.
  t.is((await rawRequest(port, '/authenticate', [basicHeader('alice', 'wonderland')])).status, 200)
}

oldSuite.test('njs 0.7.9: /metrics answers 501 and names the log-based alternative', async (t, nginx) => {
  await notSharedDict(t, nginx.port)
})
