/**
 * The token store's two backends (src/store/tokens.ts TokenStoreBackend) with njs primitives:
 * - `embedded`: the shared dict `authotron_tokens` (nginx/authotron-tokens.conf), every worker's,
 *   persisted to its `state=` file where njs has one (≥ 0.9.1); njs ≥ 0.8.0;
 * - `etcd`: etcd's v3 JSON gateway through the internal location of nginx/authotron-etcd.conf
 *   (subrequests: every leg, njs 0.7.9 included), for several nginx nodes sharing one store. Each
 *   token gets a lease that ends with it.
 * Both keep the same keys: `t/<id>` → the stored token, `o/<owner>/<id>` → its listing.
 */
import type { CompiledTokenStore } from '../config/compiled'
import { codedError, ErrorCode } from '../errors'
import {
  decodeListing,
  decodeStoredToken,
  encodeListing,
  encodeStoredToken,
  ownerPrefix,
  StoredToken,
  TokenListing,
  TokenStoreAccess,
  TokenStoreBackend,
  tokenKey,
} from '../store/tokens'
import { sha256Base64url } from './hash'

/** `js_shared_dict_zone zone=authotron_tokens:… type=string timeout=…;` */
export const TOKENS_ZONE = 'authotron_tokens'
/** Listing reads at most this many keys of the dict (njs's keys() default is 1024). */
const MAX_KEYS = 1000000

export function openTokenStore(r: NginxHTTPRequest, settings: CompiledTokenStore): TokenStoreAccess {
  return {
    backend: settings.backend === 'etcd' ? etcdBackend(r, settings) : embeddedBackend(),
    sha256Base64url,
    randomBytes(length: number) {
      const bytes = new Uint8Array(length)
      ;(globalThis as any).crypto.getRandomValues(bytes)
      return bytes
    },
    nowSeconds: () => Math.floor(Date.now() / 1000),
  }
}

function embeddedBackend(): TokenStoreBackend {
  const shared = typeof ngx !== 'undefined' ? (ngx as any).shared : undefined
  if (shared === undefined) {
    return failingBackend(
      'the embedded token store needs js_shared_dict_zone (njs >= 0.8.0), which this nginx lacks: ' +
        'use `store.type: etcd` here (README, "Token store")',
    )
  }
  const dict = shared[TOKENS_ZONE]
  if (dict === undefined) {
    return failingBackend(
      'no js_shared_dict_zone named ' + TOKENS_ZONE + ': include nginx/authotron-tokens.conf in http {}',
    )
  }
  return {
    create(token) {
      const ttlMs = (token.expiresAt - token.createdAt) * 1000
      try {
        dict.set(tokenKey(token.id), encodeStoredToken(token), ttlMs)
        dict.set(ownerPrefix(token.owner) + token.id, encodeListing(token), ttlMs)
      } catch (e) {
        dict.delete(tokenKey(token.id))
        return Promise.reject(unavailable('the shared dict ' + TOKENS_ZONE + ' refused the token: ' + String(e)))
      }
      return Promise.resolve()
    },
    find(id) {
      try {
        const text = dict.get(tokenKey(id))
        return Promise.resolve(text === undefined ? undefined : decodeStoredToken(id, text))
      } catch (e) {
        return Promise.reject(unavailable(String(e)))
      }
    },
    list(owner) {
      const prefix = ownerPrefix(owner)
      const listed: TokenListing[] = []
      const keys: string[] = dict.keys(MAX_KEYS)
      for (let i = 0; i < keys.length; i++) {
        if (keys[i].slice(0, prefix.length) !== prefix) continue
        const text = dict.get(keys[i])
        const listing = text === undefined ? undefined : decodeListing(keys[i].slice(prefix.length), text)
        if (listing !== undefined) listed.push(listing)
      }
      return Promise.resolve(listed)
    },
    remove(id, owner) {
      const text = dict.get(tokenKey(id))
      if (text === undefined || decodeStoredToken(id, text).owner !== owner) return Promise.resolve(false)
      dict.delete(tokenKey(id))
      dict.delete(ownerPrefix(owner) + id)
      return Promise.resolve(true)
    },
  }
}

/** A store that cannot run here: every operation rejects with the reason, the provider refuses. */
function failingBackend(reason: string): TokenStoreBackend {
  const fail = () => Promise.reject(codedError(ErrorCode.StoreUnsupported, reason))
  return { create: fail, find: fail, list: fail, remove: fail }
}

function unavailable(reason: string) {
  return codedError(ErrorCode.StoreUnavailable, reason)
}

/** etcd's JSON gateway takes and gives keys and values in base64. */
function toBase64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64')
}
function fromBase64(text: string): string {
  return Buffer.from(text, 'base64').toString('utf8')
}

/** The end of a prefix's key range (etcd's range_end): the prefix with its last byte incremented. */
function rangeEnd(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1)
}

function etcdBackend(r: NginxHTTPRequest, settings: CompiledTokenStore): TokenStoreBackend {
  const prefix = settings.keyPrefix
  function call(path: string, body: unknown): Promise<any> {
    const uri = settings.etcdLocation + path
    let pending: Promise<NginxHTTPRequest>
    try {
      pending = r.subrequest(uri, { method: 'POST', body: JSON.stringify(body) })
    } catch (e) {
      return Promise.reject(unavailable('etcd unreachable: ' + String(e)))
    }
    return pending.then(
      (reply) => {
        if (reply.status === 404) {
          throw codedError(
            ErrorCode.StoreUnsupported,
            'no location ' + settings.etcdLocation + '/ in this server: include nginx/authotron-etcd.conf',
          )
        }
        if (reply.status !== 200) throw unavailable('etcd unreachable (' + reply.status + ')')
        try {
          return JSON.parse(reply.responseText || '')
        } catch (e) {
          throw unavailable('etcd answered something else than JSON')
        }
      },
      (e) => {
        throw unavailable('etcd unreachable: ' + String(e))
      },
    )
  }
  function findRaw(id: string): Promise<{ token: StoredToken; lease?: string } | undefined> {
    return call('/kv/range', { key: toBase64(prefix + tokenKey(id)) }).then((answer) => {
      const kvs = answer.kvs
      if (!kvs || kvs.length === 0) return undefined
      return { token: decodeStoredToken(id, fromBase64(kvs[0].value || '')) }
    })
  }
  return {
    create(token) {
      const ttl = token.expiresAt - token.createdAt
      return call('/lease/grant', { TTL: ttl }).then((lease) => {
        if (lease.ID === undefined) throw unavailable('etcd granted no lease')
        return call('/kv/txn', {
          success: [
            { request_put: { key: toBase64(prefix + tokenKey(token.id)), value: toBase64(encodeStoredToken(token)), lease: lease.ID } },
            {
              request_put: {
                key: toBase64(prefix + ownerPrefix(token.owner) + token.id),
                value: toBase64(encodeListing(token)),
                lease: lease.ID,
              },
            },
          ],
        }).then(() => undefined)
      })
    },
    find(id) {
      return findRaw(id).then((found) => (found === undefined ? undefined : found.token))
    },
    list(owner) {
      const start = prefix + ownerPrefix(owner)
      return call('/kv/range', { key: toBase64(start), range_end: toBase64(rangeEnd(start)) }).then((answer) => {
        const listed: TokenListing[] = []
        const kvs = answer.kvs || []
        for (let i = 0; i < kvs.length; i++) {
          const key = fromBase64(kvs[i].key)
          const listing = decodeListing(key.slice(start.length), fromBase64(kvs[i].value || ''))
          if (listing !== undefined) listed.push(listing)
        }
        return listed
      })
    },
    remove(id, owner) {
      return findRaw(id).then((found) => {
        if (found === undefined || found.token.owner !== owner) return false
        return call('/kv/txn', {
          success: [
            { request_delete_range: { key: toBase64(prefix + tokenKey(id)) } },
            { request_delete_range: { key: toBase64(prefix + ownerPrefix(owner) + id) } },
          ],
        }).then(() => true)
      })
    },
  }
}
