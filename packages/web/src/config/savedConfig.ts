import { parseAppConfig, type AppConfig } from './appConfig.js'

/** Where a page keeps the last config its host gave it. */
const key = (app: string): string => `sship:${app}:config`

/** Keeps `config` (localStorage), for a page that reloads while every host is down. Best effort. */
export function saveConfig(app: string, config: AppConfig): void {
  try {
    globalThis.localStorage?.setItem(key(app), JSON.stringify(config))
  } catch {
    // storage full or refused (private mode): the next reload without hosts starts without it
  }
}

/**
 * The config saved by the last page of `app` that reached a host, or undefined. Its signaling
 * servers are redialed with backoff (they come back with their host); until then, links form
 * through the mesh.
 */
export function savedConfig(app: string): AppConfig | undefined {
  try {
    const text = globalThis.localStorage?.getItem(key(app))
    return text === null || text === undefined ? undefined : parseAppConfig(JSON.parse(text))
  } catch {
    return undefined
  }
}
