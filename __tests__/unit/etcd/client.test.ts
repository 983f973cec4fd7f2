/**
 * GrpcEtcdClient against a stand-in etcd on loopback (h2c): the replies of Maintenance.Status and Maintenance.HashKV
 * decoded as etcd means them (64-bit ids exact, int64 -1, absent zero fields), and failures as one line from the
 * gRPC status or the connection, not from anybody's text output.
 */
import { afterAll, describe, expect, it } from '@jest/globals'
import http2 from 'node:http2'
import type { AddressInfo } from 'node:net'
import { GrpcEtcdClient } from '../../../src/etcd/client.js'
import { freePorts } from '../../../src/etcd/ports.js'
import { lengthField, varintField } from '../../../src/wire/protobuf.js'

type Answer = { reply: Buffer } | { status: number; message: string } | 'hang'

const servers: http2.Http2Server[] = []
afterAll(() => {
  for (const s of servers) s.close()
})

/** A plaintext HTTP/2 server answering each gRPC path with `answers[path]`. */
async function standIn(answers: Record<string, Answer>): Promise<string> {
  const server = http2.createServer()
  server.on('stream', (stream, headers) => {
    const answer = answers[String(headers[':path'])]
    stream.on('error', () => undefined)
    stream.resume()
    if (answer === 'hang' || answer === undefined) return
    stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true })
    stream.on('wantTrailers', () =>
      stream.sendTrailers(
        'reply' in answer
          ? { 'grpc-status': '0' }
          : { 'grpc-status': String(answer.status), 'grpc-message': encodeURIComponent(answer.message) }
      )
    )
    if ('reply' in answer) {
      const prefix = Buffer.alloc(5)
      prefix.writeUInt32BE(answer.reply.length, 1)
      stream.end(Buffer.concat([prefix, answer.reply]))
    } else {
      stream.end()
    }
  })
  servers.push(server)
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

const header = (member: bigint, revision: number): Buffer =>
  lengthField(
    1,
    Buffer.concat([
      varintField(1, 0xcafef00d12345678n),
      varintField(2, member),
      varintField(3, revision),
      varintField(4, 7)
    ])
  )

describe('GrpcEtcdClient', () => {
  const client = new GrpcEtcdClient({})

  it('reads a member status: 64-bit ids in hex, alarms, learner, applied index', async () => {
    const endpoint = await standIn({
      '/etcdserverpb.Maintenance/Status': {
        reply: Buffer.concat([
          header(0xfedcba9876543210n, 4242),
          lengthField(2, '3.6.0'),
          varintField(3, 1 << 20),
          varintField(4, 0xfedcba9876543210n),
          varintField(5, 900),
          varintField(6, 7),
          varintField(7, 899),
          lengthField(8, 'memberID:1 alarm:NOSPACE'),
          varintField(10, 1)
        ])
      }
    })
    expect(await client.status(endpoint)).toEqual({
      endpoint,
      clusterId: 'cafef00d12345678',
      memberId: 'fedcba9876543210',
      leaderId: 'fedcba9876543210',
      isLearner: true,
      alarms: ['memberID:1 alarm:NOSPACE'],
      version: '3.6.0',
      revision: 4242,
      raftIndex: 900,
      raftAppliedIndex: 899,
      raftTerm: 7,
      dbSize: 1 << 20
    })
  })

  it('leaves an id etcd did not send empty, as etcdctl did, and takes the raft index for a missing applied index', async () => {
    const endpoint = await standIn({
      '/etcdserverpb.Maintenance/Status': { reply: Buffer.concat([header(5n, 10), varintField(5, 12)]) }
    })
    expect(await client.status(endpoint)).toMatchObject({ leaderId: '', raftAppliedIndex: 12, isLearner: false })
  })

  it("reads HashKV, with etcd's -1 for a keyspace never compacted", async () => {
    const endpoint = await standIn({
      '/etcdserverpb.Maintenance/HashKV': {
        reply: Buffer.concat([header(5n, 77), varintField(2, 0xdeadbeef), varintField(3, (1n << 64n) - 1n)])
      }
    })
    expect(await client.hashKV(endpoint, 70, 5_000)).toEqual({ hash: 0xdeadbeef, compactRevision: -1, revision: 77 })
  })

  it.each([
    [{ status: 11, message: 'etcdserver: mvcc: required revision has been compacted' }, /^etcd answered: .*compacted$/],
    [{ status: 7, message: 'etcdserver: permission denied' }, /^permission denied: the etcd user needs the root role/],
    [{ status: 2, message: 'auth: permission denied' }, /^permission denied: the etcd user needs the root role/],
    [{ status: 3, message: 'etcdserver: user name is empty' }, /^etcd auth is enabled: set username and password$/]
  ])('names etcd refusal %j in one line', async (answer, expected) => {
    const endpoint = await standIn({ '/etcdserverpb.Maintenance/HashKV': answer })
    await expect(client.hashKV(endpoint, 1, 5_000)).rejects.toThrow(expected)
  })

  it("names HashKV's own timeout and what to change", async () => {
    const endpoint = await standIn({ '/etcdserverpb.Maintenance/HashKV': 'hang' })
    await expect(client.hashKV(endpoint, 1, 300)).rejects.toThrow(
      "no answer within the timeout of 1s; etcd hashes the whole keyspace to answer: raise 'timeout' for a big one, or check the member's load"
    )
  })

  it('says when nothing listens', async () => {
    const [port] = await freePorts(1)
    await expect(client.status(`http://127.0.0.1:${port}`)).rejects.toThrow(
      /^connection refused: nothing listens there, or etcd is down$/
    )
  })
})
