/**
 * dist/authotron-qjs.js, the module built for QuickJS (build.mjs, QUICKJS_BUNDLE): QuickJS reads the
 * whole module's bytecode for every JS context it builds, so the bundle holds each module once
 * (docs/remote.md, "Why QuickJS"). These checks fail if lazy units, whose shared modules are bundled
 * again inside each unit, come back into it, or if it stops offering what dist/authotron.js offers.
 */
import test from 'ava'
import { readFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import { AUTHOTRON_MODULE, AUTHOTRON_QJS_MODULE } from '../nginx-harness/paths'

const ERROR_TABLE_ENTRY = 'HeaderInvalid: "ERR_HEADER_INVALID"'

const occurrences = (text: string, part: string) => text.split(part).length - 1

test('the QuickJS bundle holds each module once: no lazy unit, the error table once', (t) => {
  const qjs = readFileSync(AUTHOTRON_QJS_MODULE, 'utf8')
  const njs = readFileSync(AUTHOTRON_MODULE, 'utf8')
  t.is(occurrences(qjs, ERROR_TABLE_ENTRY), 1)
  t.true(occurrences(njs, ERROR_TABLE_ENTRY) > 1, 'the njs bundle has lazy units (else this test proves nothing)')
  t.notRegex(qjs, /if \(unit\w* === void 0\) unit\w* = function/)
  // 145 KB when this was written, against 499 KB for the njs bundle: a context's build costs in
  // proportion (9.1 M against 19.6 M instructions with js_context_reuse 0, docs/remote.md).
  t.true(qjs.length < njs.length / 2, `${qjs.length} bytes against ${njs.length}`)
})

test('the QuickJS bundle exports the same handlers and endpoints as dist/authotron.js', async (t) => {
  const njs = (await import(pathToFileURL(AUTHOTRON_MODULE).href)).default
  const qjs = (await import(pathToFileURL(AUTHOTRON_QJS_MODULE).href)).default
  t.deepEqual(Object.keys(qjs), Object.keys(njs))
  t.deepEqual(Object.keys(qjs.endpoints), Object.keys(njs.endpoints))
  t.deepEqual(Object.keys(qjs.remote), Object.keys(njs.remote))
})
