/**
 * Runs the providers eligible for one credential (§3.4–3.5): every eligible provider starts at
 * once, each bounded by auth.timeout_in_ms; the first success wins. Providers that answer
 * synchronously are checked in config order before any asynchronous one can win, so ties go to
 * config order as in the reference.
 */
import type { CompiledConfig, CompiledProvider } from '../config/compiled'
import { codedError, errorCode, ErrorCode } from '../errors'
import { isPromise, MaybePromise } from '../maybe-async'
import type { Platform } from '../platform'
import { providerModules } from '../providers/index'
import type { User } from '../user'
import { ProviderResult, recordProvider } from './metrics'

/** `realmFilter` is the lower-cased X-Auth-Realm, or undefined when none was sent. */
export function isEligible(provider: CompiledProvider, realmFilter: string | undefined): boolean {
  return realmFilter === undefined || provider.filterRealm === realmFilter
}

export function runProvidersForCredential(
  config: CompiledConfig,
  indices: number[],
  credential: string,
  realmFilter: string | undefined,
  platform: Platform,
): MaybePromise<User | undefined> {
  const pending: Promise<User>[] = []
  const runs: ProviderRun[] = []
  const metrics = platform.metrics
  for (let i = 0; i < indices.length; i++) {
    const provider = config.providers[indices[i]]
    if (!isEligible(provider, realmFilter)) continue
    const run: ProviderRun = { provider, startedMs: metrics !== undefined ? platform.clock.nowMilliseconds() : 0, settled: false }
    let outcome: MaybePromise<User>
    try {
      outcome = startProvider(provider, credential, platform)
    } catch (e) {
      logFailure(platform, provider, e)
      settle(platform, run, ProviderResult.Error)
      continue
    }
    if (!isPromise(outcome)) {
      logSuccess(platform, provider)
      settle(platform, run, ProviderResult.Success)
      return outcome
    }
    pending.push(outcome)
    runs.push(run)
    outcome.then(
      () => {
        logSuccess(platform, run.provider)
        settle(platform, run, ProviderResult.Success)
      },
      (e) => {
        logFailure(platform, run.provider, e)
        settle(platform, run, ProviderResult.Error)
      },
    )
  }
  if (pending.length === 0) return undefined
  return firstSuccess(pending, config.timeoutMs, platform, () => {
    for (let i = 0; i < runs.length; i++) settle(platform, runs[i], ProviderResult.Timeout)
  })
}

/** One provider's run, for its metrics: recorded once, as its outcome or as a timeout. */
interface ProviderRun {
  provider: CompiledProvider
  startedMs: number
  settled: boolean
}

function settle(platform: Platform, run: ProviderRun, result: ProviderResult) {
  if (run.settled) return
  run.settled = true
  const metrics = platform.metrics
  if (metrics !== undefined) recordProvider(metrics, run.provider, result, platform.clock.nowMilliseconds() - run.startedMs)
}

function startProvider(provider: CompiledProvider, credential: string, platform: Platform): MaybePromise<User> {
  const load = providerModules[provider.type]
  if (load === undefined) {
    throw codedError(ErrorCode.ProviderUnsupported, `provider type '${provider.type}' is not implemented`)
  }
  return load().authenticate(provider, credential, { platform })
}

/**
 * Resolves with the first provider to succeed within the timeout, or undefined. `onTimeout` runs
 * when the time is up first.
 */
function firstSuccess(
  pending: Promise<User>[],
  timeoutMs: number,
  platform: Platform,
  onTimeout: () => void,
): Promise<User | undefined> {
  return new Promise((resolve) => {
    let outstanding = pending.length
    let settled = false
    const timer = platform.timers.setTimeout(() => {
      // The providers still running when the time is up count as timed out (§8), once.
      onTimeout()
      finish(undefined)
    }, timeoutMs)
    function finish(user: User | undefined) {
      if (settled) return
      settled = true
      platform.timers.clearTimeout(timer)
      resolve(user)
    }
    function oneFailed() {
      outstanding -= 1
      if (outstanding === 0) finish(undefined)
    }
    for (let i = 0; i < pending.length; i++) pending[i].then(finish, oneFailed)
  })
}

function logSuccess(platform: Platform, provider: CompiledProvider) {
  platform.logger.log('debug', 'auth.provider.success', { provider: provider.name, realm: provider.realm })
}

function logFailure(platform: Platform, provider: CompiledProvider, error: unknown) {
  platform.logger.log('debug', 'auth.provider.failed', {
    provider: provider.name,
    code: errorCode(error) || ErrorCode.Unexpected,
    reason: error instanceof Error ? error.message : String(error),
  })
}
