/** `access_rules` (src/compiler/access-rules.ts): compiled parsed, and every mistake an error at its key and line. */
import test from 'ava'
import { KEY_PREFIX } from '../../../src/config/compiled'
import { compileText, configText } from './support'

/** The valid document (9 lines: providers on lines 7–8) followed by `access_rules`. */
const withRules = (rules: string) => configText() + 'access_rules:\n' + rules

test('named rules are compiled parsed, under KEY_PREFIX', (t) => {
  const result = compileText(withRules('  admins: "role=admin"\n  ops: "@admins | realm=ops scope=x%20y"\n'))
  t.deepEqual(result.errors, [])
  t.deepEqual(result.config!.accessRules, {
    [KEY_PREFIX + 'admins']: [[{ test: 'role', values: ['admin'] }]],
    [KEY_PREFIX + 'ops']: [
      [{ test: 'rule', values: [], name: 'admins' }],
      [
        { test: 'realm', values: ['ops'] },
        { test: 'scope', values: ['x y'] },
      ],
    ],
  })
})

test('without access_rules the compiled config has no accessRules', (t) => {
  const result = compileText(configText())
  t.deepEqual(result.errors, [])
  t.false('accessRules' in result.config!)
})

const errors: [string, string, string[]][] = [
  ['bad syntax', '  admins: "roles=admin"\n', [/^access_rules\.admins \(config\.yaml:10:11\): `roles`: unknown requirement/.source]],
  ['empty list', '  admins: "role="\n', [/^access_rules\.admins \(config\.yaml:10:11\): `role=`: empty value/.source]],
  ['empty rule', '  admins: ""\n', [/^access_rules\.admins \(config\.yaml:10:11\): the rule is empty/.source]],
  ['unknown name', '  admins: "@root"\n', [/^access_rules\.admins \(config\.yaml:10:11\): @root: no such rule/.source]],
  [
    'a cycle',
    '  a: "@b"\n  b: "role=x | @a"\n',
    [/^access_rules\.a \(config\.yaml:10:6\): refers to itself: @a → @b → @a/.source, /^access_rules\.b \(config\.yaml:11:6\): refers to itself: @b → @a → @b/.source],
  ],
  ['a rule referring to itself', '  a: "@a"\n', [/^access_rules\.a \(config\.yaml:10:6\): refers to itself: @a → @a/.source]],
  ['a bad name', '  "bad name": "role=x"\n', [/^access_rules\["bad name"\] \(config\.yaml:10:15\): "bad name": a rule name is/.source]],
  ['not a string', '  admins: [role=admin]\n', [/^access_rules\.admins \(config\.yaml:10:11\): expected a string/.source]],
]

for (const [title, rules, expected] of errors) {
  test(`access_rules: ${title} is an error at its key path and line`, (t) => {
    const result = compileText(withRules(rules))
    t.is(result.config, undefined)
    t.is(result.errors.length, expected.length, result.errors.join('\n'))
    expected.forEach((pattern, i) => t.regex(result.errors[i], new RegExp(pattern)))
  })
}
