/**
 * `@sship/web/testing` (Node only): what an app's browser end-to-end test needs — its host as a
 * child process, a private network namespace pair, and the runner that puts vitest (with
 * Chromium) inside it.
 *
 * @packageDocumentation
 */

export { HostProcess, type HostScript } from './HostProcess.js'
export { createLab, ip, type BrowserLab } from './netnsLab.js'
export { runBrowserE2e, ensureChromium, CHROMIUM, type BrowserE2eOptions } from './runBrowserE2e.js'
