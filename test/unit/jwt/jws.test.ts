import test from 'ava'
import { decodeClaims, parseCompactJws } from '../../../src/jwt/jws'
import { errorCode, ErrorCode } from '../../../src/errors'
import { compact } from '../support/tokens'

const b64 = (text: string) => Buffer.from(text).toString('base64url')

test('splits a compact JWS; the payload is decoded only on demand', (t) => {
  const token = compact({ alg: 'RS256', kid: 'k1', typ: 'JWT' }, { sub: 'adam' }, 'AQID')
  const jws = parseCompactJws(token)
  t.deepEqual(jws.header, { alg: 'RS256', kid: 'k1', typ: 'JWT' })
  t.deepEqual(Array.from(jws.signature), [1, 2, 3])
  t.is(Buffer.from(jws.signingInput).toString(), token.slice(0, token.lastIndexOf('.')))
  t.deepEqual(decodeClaims(jws), { sub: 'adam' })
})

const malformed: [string, string][] = [
  ['two parts', `${b64('{"alg":"RS256"}')}.${b64('{}')}`],
  ['four parts', `${b64('{"alg":"RS256"}')}.${b64('{}')}.AA.AA`],
  ['five parts (JWE)', 'a.b.c.d.e'],
  ['header not base64url', `${b64('{"alg":"RS256"}')}=.${b64('{}')}.AA`],
  ['header not JSON', `${b64('alg')}.${b64('{}')}.AA`],
  ['header a JSON array', `${b64('["RS256"]')}.${b64('{}')}.AA`],
  ['header JSON null', `${b64('null')}.${b64('{}')}.AA`],
  ['header not UTF-8', `${Buffer.from([0x7b, 0xff, 0x7d]).toString('base64url')}.${b64('{}')}.AA`],
  ['no alg', `${b64('{"kid":"k"}')}.${b64('{}')}.AA`],
  ['alg not a string', `${b64('{"alg":1}')}.${b64('{}')}.AA`],
  ['kid not a string', `${b64('{"alg":"RS256","kid":7}')}.${b64('{}')}.AA`],
  ['crit', `${b64('{"alg":"RS256","crit":["b64"],"b64":false}')}.${b64('{}')}.AA`],
  ['payload not base64url', `${b64('{"alg":"RS256"}')}.a+b.AA`],
  ['signature not base64url', `${b64('{"alg":"RS256"}')}.${b64('{}')}.A/A`],
  ['empty', ''],
  ['dots only', '..'],
]
for (const [name, token] of malformed) {
  test(`malformed: ${name}`, (t) => {
    t.is(errorCode(t.throws(() => parseCompactJws(token))), ErrorCode.JwtMalformed)
  })
}

for (const [name, payload] of [
  ['not JSON', b64('sub')],
  ['an array', b64('[1]')],
  ['a string', b64('"x"')],
]) {
  test(`payload ${name}: malformed once decoded`, (t) => {
    const jws = parseCompactJws(`${b64('{"alg":"HS256"}')}.${payload}.AA`)
    t.is(errorCode(t.throws(() => decodeClaims(jws))), ErrorCode.JwtMalformed)
  })
}

test('error messages never carry the token', (t) => {
  const secretish = 'eyJzZWNyZXQiOiJ0b2tlbi12YWx1ZSJ9'
  for (const token of [`${secretish}.${secretish}`, `${b64('{"alg":"RS256"}')}.${secretish}=.AA`]) {
    const error = t.throws(() => parseCompactJws(token))
    t.false(error!.message.includes(secretish))
  }
})
