/** The access-rule grammar and its evaluation (src/rules/access-rule.ts), table-driven. */
import test from 'ava'
import type { AccessRule } from '../../../src/config/compiled'
import { KEY_PREFIX } from '../../../src/config/compiled'
import { ErrorCode } from '../../../src/errors'
import {
  forbiddenBody,
  namesReferred,
  NamedRules,
  parseAccessRule,
  unmetRequirements,
} from '../../../src/rules/access-rule'
import type { User } from '../../../src/user'

const parsed: [string, AccessRule][] = [
  ['role=admin', [[{ test: 'role', values: ['admin'] }]]],
  ['role=a,b', [[{ test: 'role', values: ['a', 'b'] }]]],
  ['all-roles=a,b', [[{ test: 'all-roles', values: ['a', 'b'] }]]],
  ['realm=x,y', [[{ test: 'realm', values: ['x', 'y'] }]]],
  ['scope=read', [[{ test: 'scope', values: ['read'] }]]],
  ['attribute.team=ops', [[{ test: 'attribute', values: ['ops'], name: 'team' }]]],
  ['@admins', [[{ test: 'rule', values: [], name: 'admins' }]]],
  [
    'realm=x  role=a',
    [[{ test: 'realm', values: ['x'] }, { test: 'role', values: ['a'] }]],
  ],
  [
    'role=a | role=b realm=x',
    [[{ test: 'role', values: ['a'] }], [{ test: 'role', values: ['b'] }, { test: 'realm', values: ['x'] }]],
  ],
  ['role=data%20team,a%2Cb,x%7Cy,100%25', [[{ test: 'role', values: ['data team', 'a,b', 'x|y', '100%'] }]]],
  ['role=météo,m%C3%A9t%C3%A9o', [[{ test: 'role', values: ['météo', 'météo'] }]]],
  ['attribute.cost%20centre=1', [[{ test: 'attribute', values: ['1'], name: 'cost centre' }]]],
  ['role=a=b', [[{ test: 'role', values: ['a=b'] }]]],
]

for (const [text, rule] of parsed) {
  test(`parses ${JSON.stringify(text)}`, (t) => {
    t.deepEqual(parseAccessRule(text), rule)
  })
}

const malformed = [
  '',
  '   ',
  'role=a |',
  '| role=a',
  'role=',
  'role=a,,b',
  'role=a,',
  'roles=a',
  'admin',
  'attribute.=x',
  'attribute=x',
  'role=%zz',
  'role=100%',
  'constructor=x',
  '__proto__=x',
]

for (const text of malformed) {
  test(`rejects ${JSON.stringify(text)} with ERR_ACCESS_RULE_INVALID`, (t) => {
    t.throws(() => parseAccessRule(text), { code: ErrorCode.AccessRuleInvalid })
  })
}

const ALICE: User = {
  version: 1,
  username: 'alice',
  realm: 'ecmwf',
  roles: ['admin', 'data team', 'a,b', 'météo'],
  attributes: { team: 'ops', level: 3 as unknown as string },
  scopes: { keycloak: ['read', 'write'], other: ['list'] },
}

const NAMED: NamedRules = {
  [KEY_PREFIX + 'admins']: parseAccessRule('role=admin'),
  [KEY_PREFIX + 'ops']: parseAccessRule('attribute.team=ops | role=root'),
  [KEY_PREFIX + 'nobody']: parseAccessRule('role=nobody'),
}

/** rule → undefined (allowed) or the unmet categories. */
const evaluated: [string, string[] | undefined][] = [
  ['role=admin', undefined],
  ['role=guest,admin', undefined],
  ['role=guest', ['role']],
  ['all-roles=admin,a%2Cb', undefined],
  ['all-roles=admin,guest', ['role']],
  ['role=data%20team', undefined],
  ['role=data', ['role']],
  ['role=a', ['role']],
  ['role=a%2Cb', undefined],
  ['role=météo', undefined],
  ['role=m%C3%A9t%C3%A9o', undefined],
  ['realm=ecmwf', undefined],
  ['realm=other,ecmwf', undefined],
  ['realm=other', ['realm']],
  ['scope=write', undefined],
  ['scope=list', undefined],
  ['scope=admin', ['scope']],
  ['attribute.team=ops', undefined],
  ['attribute.team=dev', ['attribute']],
  ['attribute.level=3', undefined],
  ['attribute.missing=x', ['attribute']],
  ['attribute.constructor=x', ['attribute']],
  ['attribute.toString=x', ['attribute']],
  ['realm=ecmwf role=admin', undefined],
  ['realm=ecmwf role=guest', ['role']],
  ['realm=other role=guest', ['realm']],
  ['role=guest | realm=other', ['role', 'realm']],
  ['role=guest | realm=ecmwf', undefined],
  ['role=guest | role=nobody', ['role']],
  ['@admins', undefined],
  ['@nobody', ['role']],
  ['@ops realm=ecmwf', undefined],
  ['@nobody | @ops', undefined],
  ['@nobody | realm=x', ['role', 'realm']],
]

for (const [text, unmet] of evaluated) {
  test(`${JSON.stringify(text)} on alice: ${unmet === undefined ? 'allowed' : 'unmet ' + unmet.join(',')}`, (t) => {
    t.deepEqual(unmetRequirements(parseAccessRule(text), ALICE, NAMED), unmet)
  })
}

test('a user without scopes or attributes meets no scope or attribute clause', (t) => {
  const bare = { ...ALICE, attributes: {}, scopes: {} }
  t.deepEqual(unmetRequirements(parseAccessRule('scope=read'), bare, NAMED), ['scope'])
  t.deepEqual(unmetRequirements(parseAccessRule('attribute.team=ops'), bare, NAMED), ['attribute'])
})

test('a named rule that does not exist throws ERR_ACCESS_RULE_UNKNOWN, with or without named rules', (t) => {
  t.throws(() => unmetRequirements(parseAccessRule('@missing'), ALICE, NAMED), { code: ErrorCode.AccessRuleUnknown })
  t.throws(() => unmetRequirements(parseAccessRule('@admins'), ALICE, undefined), {
    code: ErrorCode.AccessRuleUnknown,
  })
  t.throws(() => unmetRequirements(parseAccessRule('@__proto__'), ALICE, NAMED), {
    code: ErrorCode.AccessRuleUnknown,
  })
  // Names access_rules cannot hold are not checked when parsing: they are unknown.
  t.throws(() => unmetRequirements(parseAccessRule('@bad!name'), ALICE, NAMED), {
    code: ErrorCode.AccessRuleUnknown,
  })
  t.throws(() => unmetRequirements(parseAccessRule('@'), ALICE, NAMED), { code: ErrorCode.AccessRuleUnknown })
})

test('an alternative that holds stops before a later unknown name is looked up', (t) => {
  t.is(unmetRequirements(parseAccessRule('role=admin | @missing'), ALICE, NAMED), undefined)
})

test('the 403 body names categories, never the user’s values', (t) => {
  const body = forbiddenBody(unmetRequirements(parseAccessRule('role=guest | realm=other'), ALICE, NAMED)!)
  t.deepEqual(JSON.parse(body), { error: 'Forbidden', unmet: ['role', 'realm'] })
  t.false(body.includes('admin'))
  t.false(body.includes('ecmwf'))
})

test('namesReferred lists each named rule once', (t) => {
  t.deepEqual(namesReferred(parseAccessRule('@a role=x | @b @a')), ['a', 'b'])
  t.deepEqual(namesReferred(parseAccessRule('role=x')), [])
})
