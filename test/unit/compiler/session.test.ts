import test from 'ava'
import { loginAnswer, logoutAnswer, sessionAuthorization } from '../../../src/auth/session'
import { compileText, configText } from './support'

const JWT = 'jwt: {iss: me, exp: 3600, secret: 0123456789abcdef0123456789abcdef}'

function compileWith(extra: string, jwt = JWT) {
  return compileText(configText({ jwt: `${jwt}\n${extra}` }))
}

test('no session section: nothing compiled, the reference behaviour', (t) => {
  const result = compileText(configText())
  t.is(result.config!.session, undefined)
  t.is(result.config!.jwt.previousSecrets, undefined)
})

test('session: {} takes the defaults: authotron_session, Secure', (t) => {
  t.deepEqual(compileWith('session: {}').config!.session, {
    cookieName: 'authotron_session',
    cookieVariable: 'cookie_authotron_session',
    cookieAttributes: '; Path=/; HttpOnly; SameSite=Lax; Secure',
  })
})

test('cookie_name and cookie_secure: false (with a note: development only)', (t) => {
  const result = compileWith('session: {cookie_name: dev_Session1, cookie_secure: false}')
  t.deepEqual(result.config!.session, {
    cookieName: 'dev_Session1',
    cookieVariable: 'cookie_dev_Session1',
    cookieAttributes: '; Path=/; HttpOnly; SameSite=Lax',
  })
  t.true(result.notes.some((note) => note.startsWith('session.cookie_secure (config.yaml:')))
})

for (const bad of ['"a-b"', '"a b"', '""', '"a;b"', `"${'x'.repeat(65)}"`, '"séance"']) {
  test(`cookie_name ${bad}: refused with its key path`, (t) => {
    const result = compileWith(`session: {cookie_name: ${bad}}`)
    t.is(result.config, undefined)
    t.true(result.errors.some((e) => e.startsWith('session.cookie_name (config.yaml:') && e.includes('letters, digits or underscores')), result.errors.join('\n'))
  })
}

test('cookie_secure must be a boolean', (t) => {
  const result = compileWith('session: {cookie_secure: "no"}')
  t.is(result.config, undefined)
  t.true(result.errors.some((e) => e.startsWith('session.cookie_secure (config.yaml:')), result.errors.join('\n'))
})

test('jwt.previous_secrets: compiled; an empty one refused; without a session a warning', (t) => {
  const jwt = 'jwt: {iss: me, exp: 3600, secret: 0123456789abcdef0123456789abcdef, previous_secrets: [old-one, older-one]}'
  t.deepEqual(compileWith('session: {}', jwt).config!.jwt.previousSecrets, ['old-one', 'older-one'])
  const alone = compileWith('', jwt)
  t.true(alone.warnings.some((w) => w.startsWith('jwt.previous_secrets (config.yaml:')), alone.warnings.join('\n'))
  const empty = compileWith('session: {}', 'jwt: {iss: me, exp: 3600, secret: 0123456789abcdef0123456789abcdef, previous_secrets: [""]}')
  t.true(empty.errors.some((e) => e.startsWith('jwt.previous_secrets[0] (config.yaml:')), empty.errors.join('\n'))
})

const SESSION = { cookieName: 's', cookieVariable: 'cookie_s', cookieAttributes: '; Path=/; HttpOnly; SameSite=Lax; Secure' }

test('login answer: the token in the cookie for its remaining lifetime, 302 to the target, no-store', (t) => {
  t.deepEqual(loginAnswer(SESSION, 'a.b.c', 1000 + 3600, 1000, '/api/get'), {
    status: 302,
    headers: [
      ['Set-Cookie', 's=a.b.c; Max-Age=3600; Path=/; HttpOnly; SameSite=Lax; Secure'],
      ['Cache-Control', 'no-store'],
    ],
    body: '/api/get',
  })
  t.is(loginAnswer(SESSION, 'a.b.c', 900, 1000, '/').headers[0][1], 's=a.b.c; Max-Age=0; Path=/; HttpOnly; SameSite=Lax; Secure')
})

test('logout answer: the cookie emptied and expired with the same attributes', (t) => {
  t.deepEqual(logoutAnswer(SESSION, '/').headers[0], ['Set-Cookie', 's=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax; Secure'])
  t.is(logoutAnswer(SESSION, '/bye').body, '/bye')
})

test('the cookie reads as one Bearer credential, or not at all', (t) => {
  t.is(sessionAuthorization('eyJ.eyJ.sig-_'), 'Bearer eyJ.eyJ.sig-_')
  t.is(sessionAuthorization(undefined), undefined)
  t.is(sessionAuthorization(''), undefined)
  t.is(sessionAuthorization('a.b.c, Basic dGVzdA=='), undefined)
  t.is(sessionAuthorization('a b'), undefined)
  t.is(sessionAuthorization('"a.b.c"'), undefined)
})
