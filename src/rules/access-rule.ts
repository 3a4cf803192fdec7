/**
 * Access rules (issue 17): what an authenticated user must have for a location to let them in.
 * The operator writes one in nginx.conf (`set $authotron_require "…";`) or names one in the YAML
 * (`access_rules:`), in this grammar:
 *
 *   rule         alternative ( "|" alternative )*        any alternative allows the request
 *   alternative  clause ( " " clause )*                  every clause must hold
 *   clause       role=V,…        the user has one of these roles
 *                all-roles=V,…   the user has every one of these roles
 *                realm=V,…       the user's realm is one of these
 *                scope=V,…       one of the user's scopes (of any provider) is one of these
 *                attribute.N=V,… the user's attribute N equals one of these
 *                @NAME           the rule NAME of `access_rules`
 *
 * Values and attribute names are percent-encoded where they hold a space, `,`, `|`, `%` or
 * anything else: `role=data%20team`, `role=a%2Cb`; UTF-8 may be written as is (`role=météo`) or
 * encoded (`role=m%C3%A9t%C3%A9o`). AND binds tighter than OR, and there are no parentheses: a
 * named rule is the way to group (`@admins realm=ecmwf`).
 *
 * Parsed per request (the njs engine keeps nothing between requests), so the parser splits and
 * slices rather than scanning characters: on njs each call and each character step costs ~1–2k
 * instructions (docs/benchmarks.md).
 */
import type { AccessRule, RuleClause } from '../config/compiled'
import { KEY_PREFIX } from '../config/compiled'
import { codedError, LeanErrorCode } from '../errors'
import type { User } from '../user'

/** What a 403 names as unmet: the kind of requirement, never the user's own values. */
export type RequirementCategory = 'role' | 'realm' | 'scope' | 'attribute'

/** Named rules as the compiled config holds them (CompiledConfig.accessRules). */
export type NamedRules = { [prefixedName: string]: AccessRule }

/** Parses a rule; throws ERR_ACCESS_RULE_INVALID saying what is wrong. */
export function parseAccessRule(text: string): AccessRule {
  const alternatives = text.split('|')
  const rule: AccessRule = []
  for (let a = 0; a < alternatives.length; a++) {
    const words = alternatives[a].split(' ')
    const clauses: RuleClause[] = []
    for (let w = 0; w < words.length; w++) {
      if (words[w] !== '') clauses.push(parseClause(words[w]))
    }
    if (clauses.length === 0) {
      throw invalid(alternatives.length === 1 ? 'the rule is empty' : 'an alternative of `|` is empty')
    }
    rule.push(clauses)
  }
  return rule
}

function parseClause(word: string): RuleClause {
  // A name is not checked here: one that access_rules cannot hold (the compiler checks its names)
  // is unknown when looked up. (A regular expression costs every request its compilation.)
  if (word[0] === '@') return { test: 'rule', values: [], name: word.slice(1) }
  const equals = word.indexOf('=')
  if (equals < 0) throw invalid('`' + word + '` is neither `key=values` nor `@name`')
  const key = word.slice(0, equals)
  const values = word.slice(equals + 1).split(',')
  for (let i = 0; i < values.length; i++) {
    if (values[i] === '') throw invalid('`' + word + '`: empty value (percent-encode a `,` inside a value: %2C)')
    values[i] = decoded(values[i], word)
  }
  if (key === 'role' || key === 'all-roles' || key === 'realm' || key === 'scope') return { test: key, values }
  if (key.slice(0, 10) === 'attribute.' && key.length > 10) {
    return { test: 'attribute', values, name: decoded(key.slice(10), word) }
  }
  throw invalid('`' + key + '`: unknown requirement (role, all-roles, realm, scope, attribute.<name>, @<rule>)')
}

function decoded(text: string, word: string): string {
  if (text.indexOf('%') < 0) return text
  try {
    return decodeURIComponent(text)
  } catch (e) {
    throw invalid('`' + word + '`: bad percent-encoding (a `%` is written %25)')
  }
}

function invalid(message: string) {
  return codedError(LeanErrorCode.AccessRuleInvalid, message)
}

/**
 * What the user lacks: undefined when the rule allows them, else the categories of the first
 * failing clause of each alternative (no duplicates). Throws ERR_ACCESS_RULE_UNKNOWN for a named
 * rule `named` lacks.
 */
export function unmetRequirements(
  rule: AccessRule,
  user: User,
  named: NamedRules | undefined,
): RequirementCategory[] | undefined {
  const unmet: RequirementCategory[] = []
  for (let a = 0; a < rule.length; a++) {
    const clauses = rule[a]
    let failed: RequirementCategory[] | undefined
    for (let c = 0; c < clauses.length && failed === undefined; c++) failed = clauseUnmet(clauses[c], user, named)
    if (failed === undefined) return undefined
    for (let i = 0; i < failed.length; i++) if (!listHolds(unmet, failed[i])) unmet.push(failed[i])
  }
  return unmet
}

function clauseUnmet(clause: RuleClause, user: User, named: NamedRules | undefined): RequirementCategory[] | undefined {
  const values = clause.values
  let met = false
  switch (clause.test) {
    case 'rule': {
      const target = named !== undefined ? named[KEY_PREFIX + clause.name] : undefined
      if (target === undefined) {
        throw codedError(LeanErrorCode.AccessRuleUnknown, '@' + clause.name + ': no such rule in access_rules')
      }
      return unmetRequirements(target, user, named)
    }
    case 'role':
      for (let i = 0; i < values.length && !met; i++) met = listHolds(user.roles, values[i])
      break
    case 'all-roles':
      met = true
      for (let i = 0; i < values.length && met; i++) met = listHolds(user.roles, values[i])
      break
    case 'realm':
      met = listHolds(values, user.realm)
      break
    case 'scope': {
      const scopes = user.scopes
      const providers = scopes !== null && typeof scopes === 'object' ? Object.keys(scopes) : []
      for (let p = 0; p < providers.length && !met; p++) {
        const list = scopes[providers[p]]
        if (Array.isArray(list)) for (let i = 0; i < values.length && !met; i++) met = listHolds(list, values[i])
      }
      break
    }
    case 'attribute': {
      const attributes = user.attributes
      const own =
        attributes !== null && typeof attributes === 'object' &&
        Object.prototype.hasOwnProperty.call(attributes, clause.name as string)
      const value: unknown = own ? attributes[clause.name as string] : undefined
      met = (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') &&
        listHolds(values, String(value))
      break
    }
  }
  return met ? undefined : [clause.test === 'all-roles' ? 'role' : (clause.test as RequirementCategory)]
}

/**
 * Whether `list` holds `item`. Rule values may come from the compiled config, which njs preloads
 * as frozen objects without prototype: no `indexOf` there, only index loops (and the user may hold
 * arrays of it).
 */
function listHolds(list: string[], item: string): boolean {
  for (let i = 0; i < list.length; i++) if (list[i] === item) return true
  return false
}

/**
 * What a known user (a precomputed Basic row, src/compiler/basic-grants.ts) satisfies, as the
 * words of a rule that hold for them: `realm=R`, `role=X`, `scope=S`, `attribute.N=V` for each of
 * its values that a rule can spell without percent-encoding (so a word of a rule that holds for
 * this user is one of them, byte for byte), and `@NAME` for each named rule that lets them in. On
 * njs 0.7.9 a rule is parsed again by every request (no state outlives it), which costs ~45k
 * instructions; looking its words up here costs one split (docs/benchmarks.md, basic-rule).
 */
export type RuleFacts = { [word: string]: 1 }

export function ruleFacts(user: User, named: NamedRules | undefined): RuleFacts {
  const facts: RuleFacts = Object.create(null)
  const add = (key: string, value: string) => {
    if (plainWord(value)) facts[key + '=' + value] = 1
  }
  add('realm', user.realm)
  for (const role of user.roles) add('role', role)
  for (const provider of Object.keys(user.scopes ?? {})) {
    const list = user.scopes[provider]
    if (Array.isArray(list)) for (const scope of list) add('scope', scope)
  }
  for (const name of Object.keys(user.attributes ?? {})) {
    const value: unknown = user.attributes[name]
    if (plainWord(name) && name.indexOf('=') < 0 && (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')) {
      add('attribute.' + name, String(value))
    }
  }
  for (const prefixed of Object.keys(named ?? {})) {
    let holds = false
    try {
      holds = unmetRequirements(named![prefixed], user, named) === undefined
    } catch (e) {
      holds = false
    }
    if (holds) facts['@' + prefixed.slice(KEY_PREFIX.length)] = 1
  }
  return facts
}

/** A value a rule writes as is: not empty, and none of the characters the grammar splits at or decodes. */
function plainWord(value: string): boolean {
  return value !== '' && !/[ ,|%]/.test(value)
}

/**
 * Whether every word of `rule` is one of `facts` (so the rule lets their user in: one alternative,
 * each clause met). False says nothing: the caller evaluates the rule in full (unmetRequirements),
 * which also answers a refusal or a broken rule. Inlined into the precomputed Basic path.
 */
/* @inline */
export function heldByFacts(rule: string, facts: RuleFacts | undefined): boolean {
  let held = facts !== undefined
  if (held) {
    const words = rule.split(' ')
    for (let i = words.length - 1; held && i >= 0; i--) held = facts![words[i]] === 1
  }
  return held
}

/** The 403's body: what kind of requirement was not met, never the user's values. */
export function forbiddenBody(unmet: RequirementCategory[]): string {
  return JSON.stringify({ error: 'Forbidden', unmet })
}

/**
 * The named rules a rule refers to, directly (for the compiler's checks: unknown names, cycles).
 */
export function namesReferred(rule: AccessRule): string[] {
  const names: string[] = []
  for (let a = 0; a < rule.length; a++) {
    for (let c = 0; c < rule[a].length; c++) {
      const clause = rule[a][c]
      if (clause.test === 'rule' && names.indexOf(clause.name as string) < 0) names.push(clause.name as string)
    }
  }
  return names
}
