// The `/* @inline */` pass of build.mjs, on its own so that test/unit/build-inline.test.ts can run
// it on small programs.
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'

/**
 * The functions whose source carries an `@inline` block comment right before `function` (or
 * `export function`): one readable copy in src/ (the one the unit tests run), and in the bundle
 * its body written into every caller. On the njs engine each call costs ~1,000 instructions and each top-level function
 * declaration ~200 per request (docs/benchmarks.md), so the per-request paths share code through
 * these instead of copies by hand.
 */
export function markedForInlining(dir = 'src') {
  const names = new Set()
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) for (const name of markedForInlining(path)) names.add(name)
    else if (entry.name.endsWith('.ts')) {
      for (const match of readFileSync(path, 'utf8').matchAll(/\/\*\s*@inline\s*\*\/\s*(?:export\s+)?function\s+(\w+)/g)) names.add(match[1])
    }
  }
  return names
}

/**
 * Writes the body of every marked function into each of its call sites and drops the declaration
 * once nothing refers to it. Fails the build, naming the function, where that cannot be done
 * without changing what the code does; the forms it accepts:
 *   - the function: plain parameters, no `this`/`arguments`/nested functions, and `return` only as
 *     its last statement;
 *   - the call: a statement of its own (`f(…);`, `var x = f(…);`, `x = f(…);`, `return f(…);`), or
 *     any expression when the body is a single `return`.
 * Parameters whose argument is stable (a literal, or a name/property path of names never
 * assigned) are replaced by the argument; the others get a fresh variable, as do the body's own
 * variables. Runs to a fixed point, so a marked function called by another is inlined too.
 * A property path is then read where the body uses it rather than before the body runs: a marked
 * function must not change the objects its callers pass property paths of (none does: they write
 * nginx's headers and variables, and read grant fields and config).
 */
export function inlineMarked(marked) {
  return ({ types: t }) => {
    const isMarked = (name) => marked.has(name) || marked.has(name.replace(/\d+$/, ''))
    const fail = (name, why) => {
      throw new Error(`build: cannot inline ${name}: ${why}`)
    }

    /** Stable: evaluating it again later gives the same value without side effects. */
    function isStable(node, scope) {
      if (t.isLiteral(node) && !t.isTemplateLiteral(node) && !t.isRegExpLiteral(node)) return true
      if (t.isIdentifier(node)) {
        if (node.name === 'undefined') return true
        const binding = scope.getBinding(node.name)
        return binding !== undefined && binding.constant
      }
      if (t.isMemberExpression(node))
        return isStable(node.object, scope) && (!node.computed || t.isLiteral(node.property))
      return false
    }
    /** Pure: no side effects (calls, assignments, property reads on host objects). */
    function isPure(node, scope) {
      if (isStable(node, scope)) return true
      if (t.isBinaryExpression(node)) return isPure(node.left, scope) && isPure(node.right, scope)
      return false
    }

    /** Checks the declaration once; returns its parameter names and the names it declares. */
    function analyse(fnPath, name) {
      const fn = fnPath.node
      if (fn.async || fn.generator) fail(name, 'async or generator')
      const params = fn.params.map((param) => (t.isIdentifier(param) ? param.name : fail(name, 'a parameter that is not a plain name')))
      const locals = new Set()
      const assigned = new Set()
      const paramUses = {}
      const body = fn.body.body
      fnPath.get('body').traverse({
        Function(inner) {
          fail(name, `a nested function (line ${inner.node.loc?.start.line})`)
        },
        ThisExpression() {
          fail(name, 'uses this')
        },
        Identifier(idPath) {
          if (idPath.node.name === 'arguments') fail(name, 'uses arguments')
          if (idPath.isReferencedIdentifier() && params.includes(idPath.node.name) && idPath.scope.getBinding(idPath.node.name) === fnPath.scope.getBinding(idPath.node.name))
            paramUses[idPath.node.name] = (paramUses[idPath.node.name] || 0) + 1
        },
        LabeledStatement() {
          fail(name, 'a label')
        },
        ReturnStatement(returnPath) {
          if (returnPath.parentPath.node !== fn.body || returnPath.node !== body[body.length - 1]) fail(name, '`return` before its last statement')
        },
      })
      // Every name the function declares, its catch clauses' and blocks' included.
      const scopes = new Set([fnPath.scope])
      fnPath.get('body').traverse({
        Scopable(scopePath) {
          scopes.add(scopePath.scope)
        },
      })
      for (const scope of scopes) {
        for (const [bindingName, binding] of Object.entries(scope.bindings)) {
          if (binding.kind === 'hoisted' || binding.kind === 'module') fail(name, `declares ${bindingName} as ${binding.kind}`)
          if (locals.has(bindingName) && scope !== fnPath.scope) fail(name, `declares ${bindingName} twice`)
          locals.add(bindingName)
          if (!binding.constant && params.includes(bindingName)) assigned.add(bindingName)
        }
      }
      return { params, locals, assigned, paramUses }
    }
    function isInside(path, ancestor) {
      for (let p = path; p; p = p.parentPath) if (p === ancestor) return true
      return false
    }

    /** A copy of `node` with names renamed or replaced (never property keys or labels). */
    function rewrite(node, replace) {
      if (Array.isArray(node)) return node.map((child) => rewrite(child, replace))
      if (!node || typeof node.type !== 'string') return node
      if (t.isIdentifier(node)) {
        const replacement = replace(node.name)
        return replacement ? t.cloneNode(replacement, true) : t.cloneNode(node)
      }
      const copy = { ...node }
      for (const key of t.VISITOR_KEYS[node.type] || []) {
        const child = node[key]
        const isName = (key === 'property' && t.isMemberExpression(node) && !node.computed) || (key === 'key' && (t.isObjectProperty(node) || t.isObjectMethod(node)) && !node.computed)
        if (isName) copy[key] = t.cloneNode(child)
        else copy[key] = rewrite(child, replace)
      }
      if (t.isObjectProperty(node) && node.shorthand) copy.shorthand = t.isIdentifier(copy.value) && copy.value.name === copy.key.name
      delete copy.loc
      delete copy.start
      delete copy.end
      return copy
    }

    function inlineCall(callPath, fnPath, name, info) {
      const args = callPath.node.arguments
      if (args.length > info.params.length) fail(name, 'called with more arguments than it declares')
      if (args.some((arg) => t.isSpreadElement(arg))) fail(name, 'called with a spread argument')
      // Free names of the body must mean at the call site what they mean at the declaration.
      fnPath.get('body').traverse({
        Identifier(idPath) {
          if (!idPath.isReferencedIdentifier() && !idPath.isBindingIdentifier()) return
          const id = idPath.node.name
          if (info.locals.has(id)) return
          if (callPath.scope.getBinding(id) !== fnPath.scope.getBinding(id)) fail(name, `${id} means something else where it is called (line ${callPath.node.loc?.start.line})`)
        },
      })
      const statement = callPath.parentPath
      const body = fnPath.node.body.body
      const last = body[body.length - 1]
      const returns = t.isReturnStatement(last)
      let form
      if (statement.isExpressionStatement()) form = 'discard'
      else if (statement.isReturnStatement()) form = 'return'
      else if (statement.isVariableDeclarator() && statement.parentPath.node.declarations.length === 1 && t.isIdentifier(statement.node.id) && !statement.parentPath.parentPath.isFor()) form = 'declare'
      else if (statement.isAssignmentExpression({ operator: '=' }) && t.isIdentifier(statement.node.left) && statement.parentPath.isExpressionStatement()) form = 'assign'
      else if (body.length === 1 && returns) form = 'expression'
      else fail(name, `a call inside an expression (line ${callPath.node.loc?.start.line}) and a body of more than one return`)

      const substitutes = {}
      const renames = {}
      const bindings = []
      info.params.forEach((param, i) => {
        const arg = i < args.length ? args[i] : t.identifier('undefined')
        const uses = info.paramUses[param] || 0
        if (!info.assigned.has(param) && (isStable(arg, callPath.scope) || (uses <= 1 && form === 'expression' && isPure(arg, callPath.scope)))) substitutes[param] = arg
        else {
          renames[param] = callPath.scope.generateUidIdentifier(param)
          bindings.push([renames[param], arg])
        }
      })
      for (const local of info.locals) if (!info.params.includes(local)) renames[local] = callPath.scope.generateUidIdentifier(local)
      const replace = (id) => substitutes[id] || renames[id]

      if (form === 'expression') {
        const value = rewrite(last.argument || t.identifier('undefined'), replace)
        const assignments = bindings.map(([id, arg]) => {
          callPath.scope.push({ id: t.cloneNode(id) })
          return t.assignmentExpression('=', t.cloneNode(id), arg)
        })
        callPath.replaceWith(assignments.length ? t.sequenceExpression([...assignments, value]) : value)
        return
      }
      const statements = bindings.map(([id, arg]) => t.variableDeclaration('var', [t.variableDeclarator(t.cloneNode(id), arg)]))
      for (const bodyStatement of returns ? body.slice(0, -1) : body) statements.push(rewrite(bodyStatement, replace))
      const value = returns && last.argument ? rewrite(last.argument, replace) : undefined
      let target = statement
      if (form === 'discard') {
        if (value && !t.isIdentifier(value) && !t.isLiteral(value)) statements.push(t.expressionStatement(value))
      } else if (form === 'return') {
        statements.push(t.returnStatement(value))
      } else if (form === 'declare') {
        target = statement.parentPath
        statements.push(t.variableDeclaration(target.node.kind, [t.variableDeclarator(t.cloneNode(statement.node.id), value || t.identifier('undefined'))]))
      } else {
        target = statement.parentPath
        statements.push(t.expressionStatement(t.assignmentExpression('=', t.cloneNode(statement.node.left), value || t.identifier('undefined'))))
      }
      if (target.inList) target.replaceWithMultiple(statements)
      else target.replaceWith(t.blockStatement(statements))
    }

    return {
      name: 'inline-marked',
      visitor: {
        Program: {
          exit(programPath) {
            const analysed = new Map()
            for (let round = 0; ; round++) {
              if (round > 1000) throw new Error('build: inlining does not come to an end (a marked function calls itself?)')
              let site
              programPath.traverse({
                CallExpression(callPath) {
                  if (site || !t.isIdentifier(callPath.node.callee) || !isMarked(callPath.node.callee.name)) return
                  const binding = callPath.scope.getBinding(callPath.node.callee.name)
                  if (!binding || !binding.path.isFunctionDeclaration()) return
                  site = { callPath, fnPath: binding.path, name: callPath.node.callee.name }
                  callPath.stop()
                },
              })
              if (!site) break
              if (isInside(site.callPath, site.fnPath)) fail(site.name, 'it calls itself')
              if (!analysed.has(site.fnPath.node)) analysed.set(site.fnPath.node, analyse(site.fnPath, site.name))
              inlineCall(site.callPath, site.fnPath, site.name, analysed.get(site.fnPath.node))
              programPath.scope.crawl()
            }
            // Declarations nothing refers to any more go; one still used as a value stays.
            programPath.traverse({
              FunctionDeclaration(fnPath) {
                const name = fnPath.node.id && fnPath.node.id.name
                if (!name || !isMarked(name)) return
                const binding = fnPath.parentPath.scope.getBinding(name)
                if (binding && binding.referencePaths.every((ref) => isInside(ref, fnPath))) fnPath.remove()
              },
            })
          },
        },
      },
    }
  }
}

/**
 * The functions whose source carries a `@bound-search` block comment right before `function`:
 * `f(value, BOUNDS)` returns the index of the first of the ascending BOUNDS that is ≥ value
 * (BOUNDS.length above them all). One readable loop in src/ (the one the unit tests run); in the
 * bundle each call is written out as `value <= b0 ? 0 : value <= b1 ? 1 : … : n`.
 */
export function markedForBoundSearch(dir = 'src') {
  const names = new Set()
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) for (const name of markedForBoundSearch(path)) names.add(name)
    else if (entry.name.endsWith('.ts')) {
      for (const match of readFileSync(path, 'utf8').matchAll(/\/\*\s*@bound-search\s*\*\/\s*(?:export\s+)?function\s+(\w+)/g)) names.add(match[1])
    }
  }
  return names
}

/**
 * Replaces every call of a `@bound-search` function by its chain of comparisons, then drops the
 * bounds arrays and the functions nothing refers to any more: on the njs engine a twelve-number
 * array at a unit's top level costs every request that instantiates the unit ~3k instructions
 * (docs/benchmarks.md, "Metrics"). Fails the build, naming the function, for a call it cannot
 * write out: the value must be a name, the bounds a name bound once to an array of number literals
 * in ascending order.
 */
export function specialiseBoundSearches(marked) {
  return ({ types: t }) => {
    const isMarked = (name) => marked.has(name) || marked.has(name.replace(/\d+$/, ''))
    const fail = (name, why) => {
      throw new Error(`build: cannot write out ${name}: ${why}`)
    }
    return {
      name: 'specialise-bound-searches',
      visitor: {
        Program: {
          exit(programPath) {
            const arrays = new Set()
            programPath.traverse({
              CallExpression(callPath) {
                const callee = callPath.node.callee
                if (!t.isIdentifier(callee) || !isMarked(callee.name)) return
                const binding = callPath.scope.getBinding(callee.name)
                if (!binding || !binding.path.isFunctionDeclaration()) return
                const [value, bounds] = callPath.node.arguments
                if (callPath.node.arguments.length !== 2 || !t.isIdentifier(value) || !t.isIdentifier(bounds))
                  fail(callee.name, `a call whose arguments are not two names (line ${callPath.node.loc?.start.line})`)
                const boundsBinding = callPath.scope.getBinding(bounds.name)
                const declarator = boundsBinding && boundsBinding.constant && boundsBinding.path.isVariableDeclarator() ? boundsBinding.path.node : undefined
                if (!declarator || !t.isArrayExpression(declarator.init) || !declarator.init.elements.every((e) => t.isNumericLiteral(e)))
                  fail(callee.name, `${bounds.name} is not a constant array of number literals`)
                const numbers = declarator.init.elements.map((e) => e.value)
                if (numbers.some((n, i) => i > 0 && n < numbers[i - 1])) fail(callee.name, `${bounds.name} is not in ascending order`)
                let chain = t.numericLiteral(numbers.length)
                for (let i = numbers.length - 1; i >= 0; i--) {
                  chain = t.conditionalExpression(t.binaryExpression('<=', t.identifier(value.name), t.numericLiteral(numbers[i])), t.numericLiteral(i), chain)
                }
                callPath.replaceWith(chain)
                arrays.add(boundsBinding.path)
              },
            })
            programPath.scope.crawl()
            // Arrays and searches nothing refers to any more go.
            for (const declarator of arrays) {
              const binding = declarator.scope.getBinding(declarator.node.id.name)
              if (binding && binding.referencePaths.length === 0) declarator.remove()
            }
            programPath.traverse({
              FunctionDeclaration(fnPath) {
                const name = fnPath.node.id && fnPath.node.id.name
                if (!name || !isMarked(name)) return
                const binding = fnPath.parentPath.scope.getBinding(name)
                if (binding && binding.referencePaths.length === 0) fnPath.remove()
              },
            })
          },
        },
      },
    }
  }
}
