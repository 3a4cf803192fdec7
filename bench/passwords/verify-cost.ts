/// <reference types="njs-types/njs_shell" />
/**
 * Runs inside the njs CLI (bundled by ./run.ts): checks that src/passwords/verify.ts gives the
 * right answers on this njs, then times it. Written for njs 0.7.9: no async/await (promise
 * chains instead), no for…of, console.log for output (one JSON object per line).
 *
 * njs frees nothing until its VM goes away (in nginx: at the end of each request), so the growth
 * of `njs.memoryStats.size` over the timed runs is what one verification allocates per request.
 */
import type { PasswordVerifier } from '../../src/config/compiled'
import { njsCrypto } from '../../src/njs/platform'
import { verifyPassword } from '../../src/passwords/verify'

interface BenchCase {
  name: string
  verifier: PasswordVerifier
  password: string
  wrongPassword: string
}

/** Injected by run.ts (esbuild `define`): the cases, and how long to time each one. */
declare const BENCH_CASES: BenchCase[]
declare const BENCH_MIN_MS: number
declare const BENCH_MIN_RUNS: number

function verify(benchCase: BenchCase, password: string): Promise<boolean> {
  return Promise.resolve(
    verifyPassword(benchCase.verifier, new TextEncoder().encode(password), njsCrypto),
  )
}

/** Verifies the right password until both BENCH_MIN_MS and BENCH_MIN_RUNS are reached. */
function time(benchCase: BenchCase): Promise<{ runs: number; ms: number }> {
  const password = new TextEncoder().encode(benchCase.password)
  const started = Date.now()
  let runs = 0
  function loop(): Promise<{ runs: number; ms: number }> {
    // Synchronous forms: a tight batch between clock reads; PBKDF2: one per promise step.
    while (true) {
      const ms = Date.now() - started
      if (ms >= BENCH_MIN_MS && runs >= BENCH_MIN_RUNS) return Promise.resolve({ runs, ms })
      const verdict = verifyPassword(benchCase.verifier, password, njsCrypto)
      runs++
      if (verdict !== true) return Promise.resolve(verdict).then(checkTrueThenLoop)
    }
  }
  function checkTrueThenLoop(verdict: boolean): Promise<{ runs: number; ms: number }> {
    if (!verdict) throw new Error(benchCase.name + ': the right password was refused')
    return loop()
  }
  return loop()
}

/** njs's own counter (njs-types does not declare it); 0 where it does not exist. */
function memorySize(): number {
  const stats = (njs as unknown as { memoryStats?: { size: number } }).memoryStats
  return stats ? stats.size : 0
}

let memoryBefore = 0

function runCase(index: number): Promise<void> {
  if (index >= BENCH_CASES.length) return Promise.resolve()
  const benchCase = BENCH_CASES[index]
  return verify(benchCase, benchCase.password)
    .then((accepted) => {
      if (!accepted) throw new Error(benchCase.name + ': the right password was refused')
      return verify(benchCase, benchCase.wrongPassword)
    })
    .then((acceptedWrong) => {
      if (acceptedWrong) throw new Error(benchCase.name + ': a wrong password was accepted')
      memoryBefore = memorySize()
      return time(benchCase)
    })
    .then((result) => {
      const allocated = memorySize() - memoryBefore
      console.log(
        JSON.stringify({
          name: benchCase.name,
          runs: result.runs,
          ms: result.ms,
          microsecondsPerVerification: Math.round((result.ms * 1000) / result.runs),
          bytesPerVerification: Math.round(allocated / result.runs),
        }),
      )
      return runCase(index + 1)
    })
}

runCase(0).then(
  () => console.log(JSON.stringify({ done: true })),
  (error: Error) => console.log(JSON.stringify({ error: String(error && error.message) })),
)
