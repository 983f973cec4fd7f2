import * as net from 'node:net'
import { EtcdError } from '../errors.js'

/** A port free a moment ago on 127.0.0.1 (bind :0, read, close); whoever binds it later retries a lost race. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.unref()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => (port ? resolve(port) : reject(new EtcdError('no free port on 127.0.0.1'))))
    })
  })
}

/** `count` distinct free ports on 127.0.0.1. */
export async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>()
  while (ports.size < count) ports.add(await freePort())
  return [...ports]
}
