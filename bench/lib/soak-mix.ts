/**
 * The soak's mixed load (bench/soak.ts): the request kinds, the nginx server block they go to, the
 * credential files, and the wrk Lua script that sends them round-robin and checks every answer's
 * status against its kind.
 *
 * Each request carries its kind in the query (`?k=<kind>`); the server echoes `$arg_k` back in the
 * `X-Soak-Kind` header (`always`, so 401s carry it too), which is how the script, whose
 * `response()` does not know which request an answer belongs to, checks the status per kind.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { ConfContext } from '../../test/nginx-harness/nginx'
import { REPO_ROOT } from '../../test/nginx-harness/paths'
import { luaString } from './wrk'

const SNIPPETS = join(REPO_ROOT, 'nginx')

/** Where a kind's credential comes from. */
type Credential =
  | { from: 'none' }
  | { from: 'fixed'; authorization: string }
  /** One line of a file per request, round-robin over the file (carried over between wrk runs). */
  | { from: 'file'; file: 'rotate' | 'unknown' | 'wrong' | 'pool' }

export interface SoakKind {
  id: string
  path: string
  credential: Credential
  expectedStatus: number
  description: string
}

export const BENCH_USER = 'bench:bench-password'
/** Valid users added to the bench config, each logged in in turn (`basic-rotate`). */
export const ROTATE_USERS = 500
/** Distinct wrong credentials per kind (cycled: each is new to the worker's caches for a long while). */
export const WRONG_CREDENTIALS = 50_000

const basic = (credential: string) => `Basic ${Buffer.from(credential).toString('base64')}`

export function soakKinds(cachedToken: string): SoakKind[] {
  const benchBasic = basic(BENCH_USER)
  return [
    {
      id: 'basic-hit',
      path: '/api',
      credential: { from: 'fixed', authorization: benchBasic },
      expectedStatus: 200,
      description:
        'Basic, the same valid credential every time (a grant-cache hit where a shared dict exists)',
    },
    {
      id: 'basic-rotate',
      path: '/api',
      credential: { from: 'file', file: 'rotate' },
      expectedStatus: 200,
      description: `Basic, ${ROTATE_USERS} valid users in turn (misses while their grants are not cached)`,
    },
    {
      id: 'unknown-user',
      path: '/api',
      credential: { from: 'file', file: 'unknown' },
      expectedStatus: 401,
      description: `Basic, ${WRONG_CREDENTIALS} distinct unknown users`,
    },
    {
      id: 'wrong-password',
      path: '/api',
      credential: { from: 'file', file: 'wrong' },
      expectedStatus: 401,
      description: `Basic, a known user with ${WRONG_CREDENTIALS} distinct wrong passwords`,
    },
    {
      id: 'no-credentials',
      path: '/api',
      credential: { from: 'none' },
      expectedStatus: 401,
      description: 'no Authorization header (the challenge)',
    },
    {
      id: 'bearer-first',
      path: '/api',
      credential: { from: 'file', file: 'pool' },
      expectedStatus: 200,
      description: 'RS256 tokens from the pool in turn (each one first use in its first round)',
    },
    {
      id: 'bearer-reuse',
      path: '/api',
      credential: { from: 'fixed', authorization: `Bearer ${cachedToken}` },
      expectedStatus: 200,
      description: 'one RS256 token reused',
    },
    {
      id: 'authenticate',
      path: '/authenticate',
      credential: { from: 'fixed', authorization: benchBasic },
      expectedStatus: 200,
      description: '/authenticate with the valid Basic credential',
    },
    {
      id: 'whoami',
      path: '/whoami',
      credential: { from: 'fixed', authorization: benchBasic },
      expectedStatus: 200,
      description: '/whoami with the valid Basic credential',
    },
    {
      id: 'providers',
      path: '/providers',
      credential: { from: 'none' },
      expectedStatus: 200,
      description: '/providers',
    },
    {
      id: 'augmenters',
      path: '/augmenters',
      credential: { from: 'none' },
      expectedStatus: 200,
      description: '/augmenters',
    },
    {
      id: 'health',
      path: '/health',
      credential: { from: 'none' },
      expectedStatus: 200,
      description: '/health',
    },
    {
      id: 'home',
      path: '/',
      credential: { from: 'none' },
      expectedStatus: 200,
      description: 'the landing page (`js_content authotron.endpoints.home`)',
    },
  ]
}

/** The plain-provider users of `basic-rotate`, for the bench config's `users:` list. */
export function rotateUsers(): { username: string; password: string; roles: string[] }[] {
  return Array.from({ length: ROTATE_USERS }, (_, i) => ({
    username: `soak-user-${i}`,
    password: `soak-password-${i}`,
    roles: ['reader'],
  }))
}

/** Writes the credential files of the `file` kinds (one Authorization value per line). */
export function writeCredentialFiles(dir: string, poolFile: string): { [file: string]: string } {
  const rotate = join(dir, 'rotate.txt')
  writeFileSync(
    rotate,
    rotateUsers()
      .map((u) => basic(`${u.username}:${u.password}`))
      .join('\n') + '\n',
  )
  const unknown = join(dir, 'unknown.txt')
  writeFileSync(
    unknown,
    Array.from({ length: WRONG_CREDENTIALS }, (_, i) =>
      basic(`soak-nobody-${i}:password-${i}`),
    ).join('\n') + '\n',
  )
  const wrong = join(dir, 'wrong.txt')
  writeFileSync(
    wrong,
    Array.from({ length: WRONG_CREDENTIALS }, (_, i) => basic(`bench:wrong-password-${i}`)).join(
      '\n',
    ) + '\n',
  )
  return { rotate, unknown, wrong, pool: poolFile }
}

/**
 * The server block: the module's endpoints as operators include them, the landing page, and one
 * protected location serving a static file. `X-Soak-Kind` is echoed at server level (the endpoint
 * locations inherit it) and in /api, whose own add_header (authotron-protect.conf) stops inheritance.
 */
export function soakServerConf(
  { port }: Pick<ConfContext, 'port'>,
  content: string,
  snippets: { http: string[]; server: string[] },
  cache: boolean,
): string {
  return `
${cache ? `include ${SNIPPETS}/authotron-cache.conf;` : '# njs < 0.8.0: no shared dict, so no grant cache'}
${snippets.http.map((file) => `include ${file};`).join('\n')}

server {
    listen 127.0.0.1:${port};
    access_log off;
    default_type text/plain;
    add_header X-Soak-Kind $arg_k always;

    include ${SNIPPETS}/authotron-endpoints.conf;
${snippets.server.map((file) => `    include ${file};`).join('\n')}

    location = / {
        js_content authotron.endpoints.home;
    }

    location = /api {
        include ${SNIPPETS}/authotron-protect.conf;
        add_header X-Soak-Kind $arg_k always;
        alias ${content};
    }
}
`
}

/**
 * The wrk script: one request of every kind in turn. `wrk … -- <offset>` starts the file-fed kinds
 * at line <offset> of their files, so consecutive wrk runs carry on where the last one stopped
 * (the pool's tokens stay first use). done() prints `SOAK_<key> <value>` lines: per kind the
 * requests sent, the answers with the expected status and those without, and each unexpected status.
 */
export function soakScript(kinds: SoakKind[], files: { [file: string]: string }): string {
  const used = [
    ...new Set(kinds.flatMap((k) => (k.credential.from === 'file' ? [k.credential.file] : []))),
  ]
  const entries = kinds
    .map((k) => {
      const credential =
        k.credential.from === 'none'
          ? 'nil'
          : k.credential.from === 'fixed'
            ? luaString(k.credential.authorization)
            : luaString(`@${k.credential.file}`)
      return `  { ${luaString(k.id)}, ${luaString(`${k.path}?k=${k.id}`)}, ${credential}, ${k.expectedStatus} },`
    })
    .join('\n')
  return `-- Written by bench/lib/soak-mix.ts: the soak's mixed load.
local kinds = {
${entries}
}
local files = {}
local offset = 0
local n = 0
local thread_list = {}
sent = {}
ok = {}
bad = {}
statuses = {}
local expected = {}

function setup(thread) table.insert(thread_list, thread) end

function init(args)
  offset = tonumber(args[1] or "0")
${used
  .map(
    (file) => `  files[${luaString(file)}] = {}
  for line in io.lines(${luaString(files[file])}) do table.insert(files[${luaString(file)}], line) end`,
  )
  .join('\n')}
  for _, k in ipairs(kinds) do
    sent[k[1]] = 0; ok[k[1]] = 0; bad[k[1]] = 0
    expected[k[1]] = k[4]
  end
end

function request()
  local k = kinds[(n % #kinds) + 1]
  local round = math.floor(n / #kinds) + offset
  n = n + 1
  sent[k[1]] = sent[k[1]] + 1
  local credential = k[3]
  if credential == nil then return wrk.format("GET", k[2]) end
  if string.sub(credential, 1, 1) == "@" then
    local lines = files[string.sub(credential, 2)]
    credential = lines[(round % #lines) + 1]
    if string.sub(credential, 1, 6) ~= "Basic " then credential = "Bearer " .. credential end
  end
  return wrk.format("GET", k[2], { ["Authorization"] = credential })
end

function response(status, headers, body)
  local kind = headers["X-Soak-Kind"]
  if kind ~= nil and expected[kind] == status then
    ok[kind] = ok[kind] + 1
  else
    local key = tostring(kind) .. ":" .. status
    statuses[key] = (statuses[key] or 0) + 1
    if kind ~= nil and bad[kind] ~= nil then bad[kind] = bad[kind] + 1 end
  end
end

function done(summary, latency, requests)
  for _, t in ipairs(thread_list) do
    local s, o, b, st = t:get("sent"), t:get("ok"), t:get("bad"), t:get("statuses")
    for _, k in ipairs(kinds) do
      io.write("SOAK_sent_" .. k[1] .. " " .. s[k[1]] .. "\\n")
      io.write("SOAK_ok_" .. k[1] .. " " .. o[k[1]] .. "\\n")
      io.write("SOAK_bad_" .. k[1] .. " " .. b[k[1]] .. "\\n")
    end
    for key, count in pairs(st) do io.write("SOAK_status_" .. key .. " " .. count .. "\\n") end
  end
end
`
}
