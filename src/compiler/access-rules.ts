/**
 * The YAML's `access_rules` (extension, issue 17): named access rules that nginx.conf refers to as
 * `@name` in `$authotron_require`. Checked here (syntax, unknown names, cycles: errors at the
 * rule's key path and line) and compiled into CompiledConfig.accessRules, parsed, so a request
 * that names one does not parse it again.
 */
import { AccessRule, KEY_PREFIX } from '../config/compiled'
import { namesReferred, parseAccessRule } from '../rules/access-rule'
import { isMapping, Mapping } from './paths'
import type { Report } from './unit'

const RULE_NAME_PATTERN = /^[A-Za-z0-9_-]+$/

/** The rules of `access_rules` that parse, by name (for the checks and the compiled config). */
function parsedRules(rules: Mapping, report?: Report): Map<string, AccessRule> {
  const parsed = new Map<string, AccessRule>()
  for (const [name, text] of Object.entries(rules)) {
    if (typeof text !== 'string') continue // the schema reports it
    if (!RULE_NAME_PATTERN.test(name)) {
      report?.('error', ['access_rules', name], `"${name}": a rule name is letters, digits, "_" and "-"`)
      continue
    }
    try {
      parsed.set(name, parseAccessRule(text))
    } catch (e) {
      report?.('error', ['access_rules', name], (e as Error).message)
    }
  }
  return parsed
}

export function checkAccessRules(data: Mapping, report: Report): void {
  if (!isMapping(data.access_rules)) return
  const rules = parsedRules(data.access_rules, report)
  for (const [name, rule] of rules) {
    for (const referred of namesReferred(rule)) {
      if (!RULE_NAME_PATTERN.test(referred) || !Object.prototype.hasOwnProperty.call(data.access_rules, referred)) {
        report('error', ['access_rules', name], `@${referred}: no such rule in access_rules`)
      }
    }
  }
  for (const name of rules.keys()) {
    const cycle = cycleFrom(name, rules, [name])
    if (cycle !== undefined) report('error', ['access_rules', name], `refers to itself: ${cycle.map((n) => '@' + n).join(' → ')}`)
  }
}

/** A path of references from `path`'s last rule back to `path[0]`, if there is one. */
function cycleFrom(start: string, rules: Map<string, AccessRule>, path: string[]): string[] | undefined {
  const rule = rules.get(path[path.length - 1])
  if (rule === undefined) return undefined
  for (const referred of namesReferred(rule)) {
    if (referred === start) return [...path, referred]
    if (path.includes(referred)) continue
    const found = cycleFrom(start, rules, [...path, referred])
    if (found !== undefined) return found
  }
  return undefined
}

/** CompiledConfig.accessRules, or undefined when the YAML has none (checkAccessRules passed). */
export function compileAccessRules(data: Mapping): { [prefixedName: string]: AccessRule } | undefined {
  if (!isMapping(data.access_rules)) return undefined
  const compiled: { [prefixedName: string]: AccessRule } = {}
  for (const [name, rule] of parsedRules(data.access_rules)) compiled[KEY_PREFIX + name] = rule
  return Object.keys(compiled).length === 0 ? undefined : compiled
}
