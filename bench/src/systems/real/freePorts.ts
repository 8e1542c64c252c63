import { createServer, type Server } from 'node:net'

/** `count` TCP ports on 127.0.0.1 that were free a moment ago (the OS picks them). */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = []
  const ports: number[] = []
  try {
    for (let i = 0; i < count; i++) {
      const s = createServer()
      servers.push(s)
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject)
        s.listen(0, '127.0.0.1', () => resolve())
      })
      const address = s.address()
      if (address === null || typeof address === 'string') throw new Error('no port')
      ports.push(address.port)
    }
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))))
  }
  return ports
}
