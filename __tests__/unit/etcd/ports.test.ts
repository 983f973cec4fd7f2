/** Free loopback ports for the members a restore drill starts. */
import * as net from 'node:net'
import { describe, expect, it } from '@jest/globals'
import { freePort, freePorts } from '../../../src/etcd/ports.js'

function listen(port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => resolve(server))
  })
}

describe('freePort', () => {
  it('is a port that can be bound on 127.0.0.1 right after', async () => {
    const port = await freePort()
    expect(port).toBeGreaterThan(0)
    const server = await listen(port)
    await new Promise(resolve => server.close(resolve))
  })
})

describe('freePorts', () => {
  it('gives as many distinct ports as asked for', async () => {
    const ports = await freePorts(4)
    expect(ports).toHaveLength(4)
    expect(new Set(ports).size).toBe(4)
  })
})
