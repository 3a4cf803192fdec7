/**
 * The precomputed Basic path's shortcut (src/rules/access-rule.ts ruleFacts, heldByFacts): when it
 * says a rule holds, the full evaluation says so too, for any user and any rule text.
 */
import test from 'ava'
import fc from 'fast-check'
import { KEY_PREFIX } from '../../../src/config/compiled'
import { heldByFacts, type NamedRules, parseAccessRule, ruleFacts, unmetRequirements } from '../../../src/rules/access-rule'
import type { User } from '../../../src/user'

const USER: User = {
  version: 1,
  username: 'bench',
  realm: 'localrealm',
  roles: ['reader', 'writer', 'data team', 'a,b', 'météo', ''],
  attributes: { team: 'ops', 'a=b': 'x', level: 3 as unknown as string },
  scopes: { oidc: ['api', 'read%20all'] },
}
const NAMED: NamedRules = {
  [KEY_PREFIX + 'writers']: parseAccessRule('role=writer'),
  [KEY_PREFIX + 'admins']: parseAccessRule('role=admin'),
  [KEY_PREFIX + 'broken']: parseAccessRule('@missing'),
}

test('the words that hold for the user, and only values a rule writes as is', (t) => {
  t.deepEqual(Object.keys(ruleFacts(USER, NAMED)).sort(), [
    '@writers',
    'attribute.level=3',
    'attribute.team=ops',
    'realm=localrealm',
    'role=reader',
    'role=writer',
    'role=météo',
    'scope=api',
  ].sort())
})

test('rules the facts answer, and rules left to the full evaluation', (t) => {
  const facts = ruleFacts(USER, NAMED)
  const held = ['realm=localrealm role=writer', '@writers', 'role=météo scope=api', 'attribute.team=ops', 'realm=localrealm role=writer scope=api @writers']
  for (const rule of held) {
    t.true(heldByFacts(rule, facts), rule)
  }
  // Refusals, several values, alternatives, encodings, double spaces: never answered here.
  for (const rule of ['role=admin', 'role=admin,writer', 'role=admin | role=writer', 'role=data%20team', 'role=a%2Cb', 'realm=localrealm  role=writer', '@admins', '@broken', '', 'all-roles=writer',
    // An unmet word after the first two.
    'realm=localrealm role=writer role=admin', 'realm=localrealm role=writer scope=api role=admin']) {
    t.false(heldByFacts(rule, facts), rule)
  }
  t.false(heldByFacts('realm=localrealm', undefined), 'a row compiled without facts')
})

test('whenever the facts say a rule holds, the full evaluation agrees (any rule text)', (t) => {
  const facts = ruleFacts(USER, NAMED)
  const word = fc.constantFrom(
    ...Object.keys(facts),
    'role=admin',
    'role=a,b',
    'role=',
    'realm=x',
    '@admins',
    '@missing',
    'attribute.a=b=x',
    'scope=read%20all',
    '|',
    '',
    'nonsense',
  )
  fc.assert(
    fc.property(fc.array(word, { minLength: 1, maxLength: 4 }), fc.constantFrom(' ', '|', ' | '), (words, glue) => {
      const rule = words.join(glue)
      if (!heldByFacts(rule, facts)) return true
      return unmetRequirements(parseAccessRule(rule), USER, NAMED) === undefined
    }),
    { numRuns: 2000 },
  )
  t.pass()
})
