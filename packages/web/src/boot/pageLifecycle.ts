import type { Server } from '@sship/core'

/** The parts of `document` the lifecycle watch reads. */
export interface LifecycleDocument extends EventTarget {
  readonly visibilityState: DocumentVisibilityState
}

/**
 * Tells `server` when the page is hidden or frozen and when it is back (`Server.setHidden`):
 * Page Visibility (`visibilitychange`), the Page Lifecycle API (`freeze` just before the browser
 * stops the page's timers, `resume` after) and `pagehide`/`pageshow` (back-forward cache). A
 * hidden page hands the server role off and does not stand as a candidate; a phone going to the
 * background therefore costs one role change, not one per wake-up. Returns the unsubscribe.
 */
export function watchPageLifecycle(server: Pick<Server, 'setHidden'>, doc: LifecycleDocument, win: EventTarget): () => void {
  const sync = (): void => server.setHidden(doc.visibilityState === 'hidden')
  const hide = (): void => server.setHidden(true)
  doc.addEventListener('visibilitychange', sync)
  doc.addEventListener('freeze', hide)
  doc.addEventListener('resume', sync)
  win.addEventListener('pagehide', hide)
  win.addEventListener('pageshow', sync)
  sync()
  return () => {
    doc.removeEventListener('visibilitychange', sync)
    doc.removeEventListener('freeze', hide)
    doc.removeEventListener('resume', sync)
    win.removeEventListener('pagehide', hide)
    win.removeEventListener('pageshow', sync)
  }
}
