import test from 'ava'
import { DEFAULT_TOKEN_LIFETIME_SECONDS } from '../../../../src/store/tokens'
import { compileText, configText } from '../../compiler/support'

test('store.enabled appends the token-store provider after the configured ones, outside the challenge and /providers', (t) => {
  const result = compileText(configText({ store: 'store: {enabled: true, type: embedded}' }))
  t.deepEqual(result.errors, [])
  const config = result.config!
  const last = config.providers[config.providers.length - 1]
  t.like(last, { type: 'token-store', name: 'token-store', realm: '', filterRealm: null, scheme: 'Bearer' })
  t.is(config.providersByScheme.Bearer[config.providersByScheme.Bearer.length - 1], config.providers.length - 1)
  t.false(config.challenge.includes('token-store'))
  t.false(config.providersBody.includes('token-store'))
  t.deepEqual(config.tokenStore, {
    backend: 'embedded',
    lifetimeSeconds: DEFAULT_TOKEN_LIFETIME_SECONDS,
    etcdLocation: '/_authotron/etcd',
    keyPrefix: 'authotron/tokens/',
  })
})

test('etcd settings are compiled; a disabled store adds nothing', (t) => {
  const etcd = compileText(
    configText({ store: 'store: {enabled: true, type: etcd, prefix: "a/b/", etcd_location: /etcd, token_lifetime_in_s: 60}' }),
  )
  t.deepEqual(etcd.config!.tokenStore, { backend: 'etcd', lifetimeSeconds: 60, etcdLocation: '/etcd', keyPrefix: 'a/b/' })
  const disabled = compileText(configText({ store: 'store: {enabled: false}' }))
  t.is(disabled.config!.tokenStore, undefined)
  t.false(disabled.config!.providers.some((provider) => provider.type === 'token-store'))
})
