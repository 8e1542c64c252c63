import { digest } from 'lib0/hash/sha256'
import { toBase64 } from 'lib0/buffer'
import { randomBytes } from 'node:crypto'

/** The queue's own flags, taken out of the argument list before the host's flags are parsed. */
export interface QueueArgs {
  /** The TA desk's PIN (`--ta-pin`), if the desk is locked. */
  readonly taPin: string | undefined
  /** `--private-topics`: students see who waits, not what about (TAs see the topics). */
  readonly privateTopics: boolean
  /** The other arguments, for `parseHostArgs`. */
  readonly rest: string[]
}

/** What `--help` adds for the queue's own flags. */
export const QUEUE_FLAGS = `queue flags: [--ta-pin PIN] [--private-topics]
--ta-pin locks the TA desk with PIN (4 to 32 characters): a page asks for it before it shows the desk.
--private-topics shows students who is waiting but not their topics (TAs still see them).`

/** Takes `--ta-pin PIN` and `--private-topics` out of `argv`; throws a `TypeError` that says what is wrong. */
export function takeQueueArgs(argv: readonly string[]): QueueArgs {
  const rest: string[] = []
  let taPin: string | undefined
  let privateTopics = false
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string
    if (arg === '--private-topics') privateTopics = true
    else if (arg === '--ta-pin') {
      const pin = argv[++i]
      if (pin === undefined || pin.startsWith('--') || pin.length < 4 || pin.length > 32) throw new TypeError('--ta-pin needs a PIN of 4 to 32 characters')
      taPin = pin
    } else rest.push(arg)
  }
  return { taPin, privateTopics, rest }
}

/** The TA PIN as pages check it: a random salt and the SHA-256 of salt and PIN (the PIN itself never leaves the host). */
export function pinCheck(pin: string, salt = toBase64(randomBytes(12))): { readonly salt: string; readonly hash: string } {
  return { salt, hash: toBase64(digest(new TextEncoder().encode(`${salt}:${pin}`))) }
}
