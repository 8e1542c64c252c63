import { parseCliArgs, UsageError, USAGE } from './cliArgs.js'
import type { CliIO } from './CliIO.js'
import { explainError } from './explainError.js'
import { runJoin } from './joinCommand.js'
import { runStatus } from './statusCommand.js'

/**
 * Runs the `sship` command line `argv` (without `node` and the script) and resolves with the
 * exit code: 0 done, 1 failure (e.g. no peers found), 2 usage error.
 */
export async function runCli(argv: readonly string[], io: CliIO): Promise<number> {
  let args
  try {
    args = parseCliArgs(argv, io.env)
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    io.stderr.write(`sship: ${error.message}\n\n${USAGE}\n`)
    return 2
  }
  try {
    switch (args.command) {
      case 'help':
        io.stdout.write(`${USAGE}\n`)
        return 0
      case 'join':
        return await runJoin(args, io)
      case 'status':
        return await runStatus(args, io)
    }
  } catch (error) {
    const ports = args.command === 'join' && args.port !== undefined && args.port !== 0 ? [{ port: args.port, flag: '--port', what: "this peer's WebSocket server" }] : []
    io.stderr.write(`sship: ${explainError(error, { ports, dataDir: args.command === 'join' ? args.dataDir : undefined })}\n`)
    return 1
  }
}
