import test from 'ava'
import fc from 'fast-check'
import { attributeText, splitWhitespace, userFromClaims } from '../../../src/jwt/user-claims'
import { errorCode, ErrorCode } from '../../../src/errors'

test('the mapping of §4.2 step 10 on a Keycloak-like token', (t) => {
  const claims = {
    exp: 4102444800,
    iat: 1766996400,
    jti: 'a1b2',
    iss: 'https://idp.example/realms/ecmwf',
    aud: ['account', 'polytope'],
    sub: 'f00-ba7',
    typ: 'Bearer',
    azp: 'polytope',
    realm_access: { roles: ['offline_access', 'user'] },
    resource_access: { polytope: { roles: ['reader', 'user'] }, account: { roles: ['manage-account'] } },
    entitlements: ['ent-1'],
    scope: 'openid  email\tprofile ',
    email_verified: true,
    preferred_username: 'adam',
    email: 'adam@example.org',
    nested: { flag: true, list: [1, 'two'] },
    ratio: 1.5,
    nothing: null,
  }
  const user = userFromClaims(claims, 'keycloak', 'ecmwf')
  t.deepEqual(user, {
    version: 1,
    username: 'adam',
    realm: 'ecmwf',
    roles: ['offline_access', 'user', 'ent-1', 'reader', 'user', 'manage-account'],
    attributes: {
      exp: '4102444800',
      iat: '1766996400',
      jti: 'a1b2',
      iss: 'https://idp.example/realms/ecmwf',
      aud: '["account","polytope"]',
      typ: 'Bearer',
      azp: 'polytope',
      email_verified: 'true',
      preferred_username: 'adam',
      email: 'adam@example.org',
      nested: '{"flag":true,"list":[1,"two"]}',
      ratio: '1.5',
      nothing: 'null',
    },
    scopes: { keycloak: ['openid', 'email', 'profile'] },
  })
})

test('the reference\'s own HS512 case: custom and nested claims become attributes', (t) => {
  const user = userFromClaims(
    { sub: 'user1', scope: 'read write', exp: 4102444800, custom: 'abc', nested: { flag: true } },
    'TestJWT',
    'test',
  )
  t.is(user.username, 'user1')
  t.is(user.attributes.custom, 'abc')
  t.is(user.attributes.nested, '{"flag":true}')
  t.deepEqual(user.scopes, { TestJWT: ['read', 'write'] })
  t.deepEqual(user.roles, [])
})

const usernames: [string, object, string][] = [
  ['preferred_username string', { preferred_username: 'pref' }, 'pref'],
  ['preferred_username empty string', { preferred_username: '' }, ''],
  ['preferred_username a number', { preferred_username: 7 }, 'subject'],
  ['preferred_username null', { preferred_username: null }, 'subject'],
  ['no preferred_username', {}, 'subject'],
]
for (const [name, extra, username] of usernames) {
  test(`username: ${name}`, (t) => {
    t.is(userFromClaims({ sub: 'subject', exp: 1, ...extra }, 'p', 'r').username, username)
  })
}

const shapes: [string, object, string[] | string][] = [
  ['no role claims at all', {}, []],
  ['realm_access null', { realm_access: null }, []],
  ['entitlements null', { entitlements: null }, []],
  ['resource_access null', { resource_access: null }, []],
  ['resource_access empty', { resource_access: {} }, []],
  ['duplicates kept', { realm_access: { roles: ['a', 'a'] }, entitlements: ['a'] }, ['a', 'a', 'a']],
  ['realm_access without roles', { realm_access: {} }, ErrorCode.JwtClaimInvalid],
  ['realm_access.roles null', { realm_access: { roles: null } }, ErrorCode.JwtClaimInvalid],
  ['realm_access.roles with a number', { realm_access: { roles: ['a', 1] } }, ErrorCode.JwtClaimInvalid],
  ['realm_access an array', { realm_access: ['a'] }, ErrorCode.JwtClaimInvalid],
  ['entitlements a string', { entitlements: 'a' }, ErrorCode.JwtClaimInvalid],
  ['resource_access an array', { resource_access: [] }, ErrorCode.JwtClaimInvalid],
  ['resource_access entry without roles', { resource_access: { a: { roles: ['x'] }, b: {} } }, ErrorCode.JwtClaimInvalid],
  ['resource_access entry null', { resource_access: { a: null } }, ErrorCode.JwtClaimInvalid],
  ['sub missing', { sub: undefined }, ErrorCode.JwtClaimInvalid],
  ['sub a number', { sub: 42 }, ErrorCode.JwtClaimInvalid],
  ['scope a list', { scope: ['openid'] }, ErrorCode.JwtClaimInvalid],
  ['scope null', { scope: null }, ErrorCode.JwtClaimInvalid],
]
for (const [name, extra, expected] of shapes) {
  test(`claim shapes: ${name}`, (t) => {
    const claims = JSON.parse(JSON.stringify({ sub: 's', exp: 1, ...extra }))
    try {
      t.deepEqual(userFromClaims(claims, 'p', 'r').roles, expected)
    } catch (e) {
      t.is(errorCode(e), expected as string)
    }
  })
}

test('scope: absent gives an empty list under the provider name (recorded deviation)', (t) => {
  t.deepEqual(userFromClaims({ sub: 's', exp: 1 }, 'prov', 'r').scopes, { prov: [] })
  t.deepEqual(userFromClaims({ sub: 's', exp: 1, scope: '' }, 'prov', 'r').scopes, { prov: [] })
})

test('scope splits on Unicode whitespace as Rust does, not on a BOM', (t) => {
  t.deepEqual(splitWhitespace(' a\u00a0b\u2003c\u0085d\ufeffe  '), ['a', 'b', 'c', 'd\ufeffe'])
  // Only plain spaces: the native split path.
  t.deepEqual(splitWhitespace('  openid  profile email '), ['openid', 'profile', 'email'])
  t.deepEqual(splitWhitespace('   '), [])
})

/** Rust's White_Space set (what `split_whitespace` splits on). */
const RUST_WHITESPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/

test('splitWhitespace agrees with a split on Rust\'s White_Space set, on both of its paths', (t) => {
  const pieces = fc.constantFrom('a', 'read', 'x:y', ' ', ' ', '  ', '\t', '\n', '\u0085', '\u00a0', '\u2003', '\u3000', '\ufeff', '\u200b')
  fc.assert(
    fc.property(fc.array(pieces, { maxLength: 12 }), (parts) => {
      const text = parts.join('')
      const expected = text.split(RUST_WHITESPACE).filter((word) => word !== '')
      t.deepEqual(splitWhitespace(text), expected, JSON.stringify(text))
      return true
    }),
  )
})

const texts: [unknown, string][] = [
  ['plain', 'plain'],
  ['tab\there\nnew\u0000line\u007f\u0085\u009f!', 'tabherenewline!'],
  ['\u00a0 kept', '\u00a0 kept'],
  [4102444800, '4102444800'],
  [1.5, '1.5'],
  [-3, '-3'],
  [true, 'true'],
  [false, 'false'],
  [null, 'null'],
  [['a', 'b'], '["a","b"]'],
  [{ flag: true }, '{"flag":true}'],
  [{ s: 'line\nbreak' }, '{"s":"line\\nbreak"}'],
]
for (const [value, text] of texts) {
  test(`attribute text of ${JSON.stringify(value)}`, (t) => {
    t.is(attributeText(value), text)
  })
}

test('claim names such as __proto__ become plain attributes', (t) => {
  const claims = JSON.parse('{"sub":"s","exp":1,"__proto__":{"polluted":"yes"},"constructor":"c"}')
  const user = userFromClaims(claims, 'p', 'r')
  t.is(Object.getPrototypeOf(user.attributes), Object.prototype)
  t.is((user.attributes as any).polluted, undefined)
  t.is(JSON.stringify(user.attributes), '{"exp":"1","__proto__":"{\\"polluted\\":\\"yes\\"}","constructor":"c"}')
})
