/**
 * What the status probe says about an endpoint that is not etcd: a TLS server on loopback (the test PKI's server
 * certificate) that completes the handshake and then sends bytes that are not HTTP/2, as a web server or another
 * service on the wrong port would. etcdctl reports only a timeout; the action must say what is wrong. The diagnosis
 * is the gRPC transport's own connection failure (src/etcd/grpc.ts), which once was a separate TLS probe.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as tls from 'node:tls'
import type { EtcdAccess } from '../../src/etcd/access.js'
import { GrpcEtcdClient } from '../../src/etcd/client.js'
import { ConnectError, EtcdGrpc } from '../../src/etcd/grpc.js'
import { startEtcd, stopAll, type EtcdMember } from '../harness/etcd.js'
import { makePki, type Pki } from '../harness/pki.js'

const NOT_ETCD =
  "the endpoint completed the TLS handshake but does not speak etcd's gRPC (HTTP/2); is this etcd's client port?"

let dir: string
let pki: Pki
let access: EtcdAccess
const servers: tls.Server[] = []

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tls-probe-'))
  pki = await makePki(join(dir, 'pki'))
  access = { cacertFile: pki.caCert, certFile: pki.clientCert, keyFile: pki.clientKey }
})

afterAll(async () => {
  for (const server of servers) server.close()
  await stopAll()
  rmSync(dir, { recursive: true, force: true })
})

/** A TLS server that, once the handshake is done, sends `reply` to whatever it is sent. */
async function tlsServer(reply: (socket: tls.TLSSocket) => void, alpn?: string[]): Promise<string> {
  const server = tls.createServer(
    { cert: pki.pem('serverCert'), key: pki.pem('serverKey'), ALPNProtocols: alpn },
    socket => {
      socket.on('error', () => undefined)
      reply(socket)
    }
  )
  servers.push(server)
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return `https://127.0.0.1:${(server.address() as AddressInfo).port}`
}

/**
 * What the transport's connection says about the endpoint's TLS and protocol: undefined when it connects, or when it
 * only waited in vain (a silent server is not diagnosed as anything); else the hint of its ConnectError.
 */
async function diagnoseTls(endpoint: string, access: EtcdAccess): Promise<string | undefined> {
  try {
    ;(await EtcdGrpc.connect(endpoint, access, 5_000)).destroy()
    return undefined
  } catch (e: unknown) {
    if (!(e instanceof ConnectError)) throw e
    return e.hint.startsWith('no answer in time') ? undefined : e.hint
  }
}

const garbage = (socket: tls.TLSSocket): void => {
  socket.write('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n')
  socket.write(Buffer.alloc(64, 0xab))
}

describe('an endpoint that completes TLS and then speaks something else', () => {
  it.each([
    ['offering h2 by ALPN', ['h2']],
    ['without ALPN', undefined]
  ])(
    'endpoint status says it does not speak etcd gRPC (%s), not "no answer in time"',
    async (_, alpn) => {
      const endpoint = await tlsServer(garbage, alpn)
      await expect(new GrpcEtcdClient(access).status(endpoint)).rejects.toThrow(NOT_ETCD)
    },
    30_000
  )

  it('the snapshot stream connection says so too', async () => {
    const endpoint = await tlsServer(garbage, ['h2'])
    await expect(EtcdGrpc.connect(endpoint, access)).rejects.toThrow(`cannot connect to ${endpoint}: ${NOT_ETCD}`)
  }, 30_000)

  it('a server that says nothing after the handshake is not called a wrong protocol', async () => {
    const endpoint = await tlsServer(() => undefined, ['h2'])
    expect(await diagnoseTls(endpoint, access)).toBeUndefined()
  }, 30_000)

  it('real etcd passes the probe, which still tells a rejected client certificate and a wrong CA apart', async () => {
    const member: EtcdMember = await startEtcd({ pki })
    expect(await diagnoseTls(member.clientUrl, access)).toBeUndefined()
    expect(
      await diagnoseTls(member.clientUrl, { ...access, certFile: pki.otherClientCert, keyFile: pki.otherClientKey })
    ).toBe('the server rejected the client certificate (cert/key not signed by the etcd CA, or none given)')
    expect(await diagnoseTls(member.clientUrl, { ...access, cacertFile: pki.otherCaCert })).toBe(
      "the server's certificate is not signed by cacert (wrong CA?)"
    )
    await expect(new GrpcEtcdClient(access).status(member.clientUrl)).resolves.toMatchObject({
      endpoint: member.clientUrl
    })
  }, 60_000)
})
