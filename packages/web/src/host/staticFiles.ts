import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { extname, join, normalize, sep } from 'node:path'

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json'
}

/**
 * Serves the built page from `root`: files by `path` (already decoded by `requestPath`; never outside `root`), and `index.html` for
 * anything else. Hashed assets are cached for long; the page itself is not cached.
 */
export async function serveStatic(root: string, path: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const wanted = normalize(join(root, path))
  const inside = wanted === root || wanted.startsWith(root.endsWith(sep) ? root : root + sep)
  let file = join(root, 'index.html')
  if (inside && path !== '/') {
    const s = await stat(wanted).catch(() => undefined)
    if (s?.isFile() === true) file = wanted
  }
  const s = await stat(file).catch(() => undefined)
  if (s === undefined) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not built: run `npm run -w apps/queue build`\n')
    return
  }
  res.writeHead(200, {
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    'content-length': s.size,
    'cache-control': file.includes(`${sep}assets${sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache'
  })
  if (req.method === 'HEAD') {
    res.end()
    return
  }
  createReadStream(file).on('error', () => res.destroy()).pipe(res)
}
