#!/usr/bin/env node
/**
 * The `sship` executable: `sship join <app>` and `sship status <app>` (see `sship --help`).
 *
 * @packageDocumentation
 */
import { processIO } from './CliIO.js'
import { runCli } from './runCli.js'

void runCli(process.argv.slice(2), processIO()).then(
  (code) => {
    // Exit explicitly once output is flushed: a library timer must not keep a stopped CLI alive.
    process.stdout.write('', () => process.exit(code))
  },
  (error: unknown) => {
    process.stderr.write(`sship: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
    process.exit(1)
  }
)
