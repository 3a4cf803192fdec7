/** build.mjs's `/* @inline *\/` pass (build-inline.mjs) on small programs. */
import test from 'ava'
// @ts-expect-error: no types for @babel/core among the devDependencies
import { transformSync } from '@babel/core'
// @ts-expect-error: a plain .mjs module of the build, without types
import { inlineMarked, specialiseBoundSearches } from '../../build-inline.mjs'

function inline(code: string, marked: string[]): string {
  const result = transformSync(code, {
    babelrc: false,
    configFile: false,
    compact: false,
    comments: false,
    parserOpts: { allowReturnOutsideFunction: true },
    plugins: [inlineMarked(new Set(marked))],
  })
  return result!.code!
}

/** Runs `code` (a function body) and returns what it returns. */
function run(code: string): unknown {
  return new Function(code)()
}

test('a statement call, a declaration and a nested expression call: same results, no call and no declaration left', (t) => {
  const source = `
    function twice(x) { return x + x }
    function label(name, n) { var text = name + '=' + twice(n); return text }
    var out = []
    function push(v) { out.push(v) }
    var a = label('a', 2)
    push(a)
    push(twice(4))
    var b
    b = label('b', 3)
    push(b)
    return out.join(',')`
  const inlined = inline(source, ['twice', 'label'])
  t.is(run(inlined), run(source))
  t.is(run(inlined), 'a=4,8,b=6')
  t.notRegex(inlined, /function (twice|label)\b/)
  t.notRegex(inlined, /\b(twice|label)\(/)
})

test('arguments are evaluated once, in order, before the body', (t) => {
  const source = `
    var log = []
    function next(v) { log.push(v); return v }
    function pair(a, b) { log.push('body'); return a + b + a }
    var result = pair(next(1), next(2))
    return result + ':' + log.join(',')`
  const inlined = inline(source, ['pair'])
  t.is(run(inlined), run(source))
  t.is(run(inlined), '4:1,2,body')
})

test('the body’s own names never capture or clobber the caller’s', (t) => {
  const source = `
    function bump(v) { var n = v + 1; try { throw n } catch (e) { n = e * 10 } return n }
    var n = 5, e = 'kept'
    var r = bump(n)
    return [n, e, r].join(',')`
  t.is(run(inline(source, ['bump'])), '5,kept,60')
})

test('a marked function used as a value stays declared; its calls are still inlined', (t) => {
  const inlined = inline(`function id(x) { return x } var f = id; return f(1) + id(2)`, ['id'])
  t.regex(inlined, /function id\(/)
  t.is(run(inlined), 3)
})

for (const [why, source, message] of [
  ['an early return', `function f(x) { if (x) return 1; return 2 } return f(0)`, /`return` before its last statement/],
  ['a nested function', `function f(x) { return [x].map(function (y) { return y }) } return f(0)`, /a nested function/],
  ['this', `function f() { return this } return f()`, /uses this/],
  ['a call inside an expression with a long body', `function f(x) { var y = x; return y } return 1 + f(2)`, /a call inside an expression/],
  ['recursion', `function f(x) { f(x) } f(1)`, /calls itself/],
  ['a free name shadowed at the call', `var k = 1; function f() { return k } function g(k) { return f() } return g(2)`, /k means something else/],
] as const) {
  test(`the build fails loudly on ${why}`, (t) => {
    const error = t.throws(() => inline(source, ['f']))
    t.regex(error!.message, /build: cannot inline f: /)
    t.regex(error!.message, message)
  })
}

function writeOutSearches(code: string, marked: string[]): string {
  const result = transformSync(code, {
    babelrc: false,
    configFile: false,
    compact: false,
    comments: false,
    parserOpts: { allowReturnOutsideFunction: true },
    plugins: [specialiseBoundSearches(new Set(marked))],
  })
  return result!.code!
}

const SEARCH = `function firstAtLeast(value, bounds) { var i = 0; while (i < bounds.length && !(value <= bounds[i])) i++; return i }`

test('a bound search is written out as comparisons: same answers, the array and the loop gone', (t) => {
  const source = `${SEARCH}
    var BOUNDS = [1, 5, 10, 2500]
    var out = []
    var values = [-1, 0, 1, 1.5, 5, 6, 10, 11, 2500, 2501, Infinity, NaN]
    for (var k = 0; k < values.length; k++) { var v = values[k]; out.push(firstAtLeast(v, BOUNDS)) }
    return out.join(',')`
  const written = writeOutSearches(source, ['firstAtLeast'])
  t.is(run(written), run(source))
  t.is(run(written), '0,0,0,1,1,2,2,3,3,4,4,4')
  t.notRegex(written, /BOUNDS|firstAtLeast|while/)
})

test('bounds still read elsewhere stay declared', (t) => {
  const written = writeOutSearches(`${SEARCH} var B = [1, 5]; var v = 3; return firstAtLeast(v, B) + B.length`, ['firstAtLeast'])
  t.regex(written, /var B = \[1, 5\]/)
  t.is(run(written), 3)
})

for (const [why, source, message] of [
  ['a value that is not a name', `var B = [1, 2]; return f(1 + 1, B)`, /arguments are not two names/],
  ['bounds that are not literals', `var x = 1; var B = [x, 2]; var v = 0; return f(v, B)`, /not a constant array of number literals/],
  ['bounds assigned again', `var B = [1, 2]; B = [3]; var v = 0; return f(v, B)`, /not a constant array/],
  ['bounds out of order', `var B = [5, 1]; var v = 0; return f(v, B)`, /not in ascending order/],
] as const) {
  test(`writing out a bound search fails loudly on ${why}`, (t) => {
    const error = t.throws(() => writeOutSearches(`${SEARCH.replace('firstAtLeast', 'f')} ${source}`, ['f']))
    t.regex(error!.message, /build: cannot write out f: /)
    t.regex(error!.message, message)
  })
}
