/** build.mjs's `/* @inline *\/` pass (build-inline.mjs) on small programs. */
import test from 'ava'
// @ts-expect-error: no types for @babel/core among the devDependencies
import { transformSync } from '@babel/core'
// @ts-expect-error: a plain .mjs module of the build, without types
import { inlineMarked } from '../../build-inline.mjs'

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
