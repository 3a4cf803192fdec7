/** Entry point of `authotron` (dist/cli.mjs): runs the command line on this process. */
import { main } from './cli'
import type { CliIO } from './io'

const io: CliIO = {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  cwd: process.cwd(),
}

main(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error)
    process.stderr.write(`authotron: internal error: ${detail}\n`)
    process.exitCode = 70 // EX_SOFTWARE
  },
)
