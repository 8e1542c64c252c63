import { mkdirSync } from 'node:fs'
import { createIdentity, type WebCryptoIdentity } from '@sship/core/security'
import { DataDirLock, loadOrCreateIdentity } from '@sship/persist'
import { UsageError } from './cliArgs.js'

/** The label of a `--identity` GUID when no `--id` is given. */
export const DEFAULT_IDENTITY_LABEL = 'peer'

/**
 * The key pair of `sship join --identity`. With `dataDir`, the one kept in it (created there on
 * the first start, under the directory's lock so two starts cannot write two key pairs), so the
 * GUID survives restarts; without, a fresh one in memory. `label` (`--id`) names a new key pair;
 * a kept one whose label differs throws a {@link UsageError} rather than silently running under
 * another name.
 */
export async function loadCliIdentity(label: string | undefined, dataDir: string | undefined): Promise<WebCryptoIdentity> {
  if (dataDir === undefined) return createIdentity(label ?? DEFAULT_IDENTITY_LABEL)
  mkdirSync(dataDir, { recursive: true })
  const lock = DataDirLock.acquire(dataDir)
  let identity: WebCryptoIdentity
  try {
    identity = await loadOrCreateIdentity(dataDir, label ?? DEFAULT_IDENTITY_LABEL)
  } finally {
    lock.release()
  }
  if (label !== undefined && identity.label !== label) {
    throw new UsageError(`the data directory ${dataDir} holds the key pair of ${identity.id}, whose label is "${identity.label}", not "${label}"; ` +
      'drop --id (or pass that label), or use another data directory')
  }
  return identity
}
