/**
 * The save: etcd's Maintenance.Snapshot stream read over our own gRPC client (src/etcd/grpc.ts,
 * src/etcd/snapshot-stream.ts) against real etcd members, compared with `etcdctl snapshot save` (byte for byte on 3.4,
 * by content from 3.5 on, where no two snapshots of a member are the same bytes);
 * and the stream parser on its own, fed the same messages cut at every possible place.
 */
import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import http2 from 'node:http2'
import { tmpdir } from 'node:os'
import tls from 'node:tls'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { EtcdError } from '../../src/errors.js'
import { openSnapshotStream, SnapshotResponseParser } from '../../src/etcd/snapshot-stream.js'
import { writeBackupFile } from '../../src/pipeline/index.js'
import { verifySnapshot } from '../../src/verify/index.js'
import { etcdAtLeast, startEtcd, stopAll, type EtcdMember } from '../harness/etcd.js'
import { makePki, type Pki } from '../harness/pki.js'
import { seedKubernetes } from '../harness/seed.js'
import { saveSnapshot, toolStatus } from '../harness/snapshots.js'

let dir: string
let pki: Pki
let tlsMember: EtcdMember
let plainMember: EtcdMember

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'snapshot-stream-'))
  pki = await makePki(join(dir, 'pki'))
  ;[tlsMember, plainMember] = await Promise.all([startEtcd({ pki }), startEtcd({ name: 'plain' })])
  // Values up to a few hundred KiB, so etcd's 32 KiB messages and HTTP/2's 16 KiB frames fall everywhere.
  await Promise.all([
    seedKubernetes(tlsMember, { objects: 3000, seed: 21 }),
    seedKubernetes(plainMember, { objects: 300, seed: 22 })
  ])
})

afterAll(async () => {
  await stopAll()
})

async function drain(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

const tlsAccess = (): { cacertFile: string; certFile: string; keyFile: string } => ({
  cacertFile: pki.caCert,
  certFile: pki.clientCert,
  keyFile: pki.clientKey
})

/**
 * `streamed` is the snapshot `etcdctl snapshot save` wrote to `reference`, of the same idle member. Up to 3.4 two
 * snapshots of an idle member are byte for byte the same, so the stream must be exactly those bytes. From 3.5 on etcd
 * commits its backend before each snapshot, so bbolt's meta pages (txid) and the pages that commit rewrites differ
 * between any two snapshots (measured on 3.5.36 and 3.6.17); there the content must be the same: etcd's own
 * `snapshot status` of both files (its hash is a CRC over every key and value of every bucket, with the revision,
 * totalKey and size) and the native verifier's HashKV, and the stream's trailer is the sha256 of its own data.
 */
async function expectSameSnapshot(streamed: Buffer, reference: string, name: string): Promise<void> {
  const expected = readFileSync(reference)
  expect(streamed.length).toBe(expected.length)
  if (!etcdAtLeast('3.5.0')) expect(streamed.equals(expected)).toBe(true)
  const data = streamed.subarray(0, streamed.length - 32)
  expect(streamed.subarray(-32).equals(createHash('sha256').update(data).digest())).toBe(true)
  const file = join(dir, `${name}.streamed.db`)
  writeFileSync(file, streamed)
  const [theirs, ours] = await Promise.all([toolStatus(reference), toolStatus(file)])
  expect(ours).toEqual(theirs)
  expect(ours.totalSize).toBe(data.length)
  const [referenceReport, streamedReport] = await Promise.all([verifySnapshot(reference), verifySnapshot(file)])
  expect(streamedReport.valid).toBe(true)
  expect(referenceReport.valid).toBe(true)
  expect(streamedReport.hashKV).toBeDefined()
  expect(streamedReport.hashKV).toEqual(referenceReport.hashKV)
  expect(streamedReport.status).toEqual(referenceReport.status)
  expect(streamedReport.liveKeys).toBe(referenceReport.liveKeys)
}

describe('the snapshot stream from a real member', () => {
  it('over mutual TLS: the snapshot etcdctl snapshot save writes, trailer included', async () => {
    const reference = join(dir, 'tls.db')
    await saveSnapshot(tlsMember, reference)
    const streamed = await drain(await openSnapshotStream(tlsMember.clientUrl, tlsAccess(), 60_000))
    expect(streamed.length).toBeGreaterThan(4 << 20)
    await expectSameSnapshot(streamed, reference, 'tls')
  })

  it('over plain HTTP (h2c), as an etcd without TLS serves it', async () => {
    const reference = join(dir, 'plain.db')
    await saveSnapshot(plainMember, reference)
    const streamed = await drain(await openSnapshotStream(plainMember.clientUrl, {}, 60_000))
    await expectSameSnapshot(streamed, reference, 'plain')
  })

  it('a consumer that stops reading pauses etcd instead of buffering the snapshot in memory', async () => {
    const stream = await openSnapshotStream(tlsMember.clientUrl, tlsAccess(), 60_000)
    // Read one batch, then nothing for a while: only the flow-control window and a batch or two may pile up.
    const first = await new Promise<Buffer>(resolve =>
      stream.once('data', (chunk: Buffer) => {
        stream.pause()
        resolve(chunk)
      })
    )
    expect(first.length).toBe(1 << 20)
    await new Promise(resolve => setTimeout(resolve, 1_500))
    expect(stream.readableLength).toBeLessThanOrEqual(2 << 20)
    const rest = await drain(stream)
    await expectSameSnapshot(Buffer.concat([first, rest]), join(dir, 'tls.db'), 'paused')
  })

  it('a wrong CA fails at connect with one line naming the member and the cause', async () => {
    const other = await makePki(join(dir, 'other-pki'))
    const opening = openSnapshotStream(tlsMember.clientUrl, { ...tlsAccess(), cacertFile: other.caCert }, 10_000)
    await expect(opening).rejects.toThrow(EtcdError)
    await expect(opening).rejects.toThrow(
      `snapshot save from ${tlsMember.clientUrl} failed: cannot connect to ${tlsMember.clientUrl}: the server's certificate is not signed by cacert (wrong CA?)`
    )
  })

  it('a timeout shorter than the transfer ends it with the timeout named', async () => {
    const stream = await openSnapshotStream(tlsMember.clientUrl, tlsAccess(), 300)
    // Read slowly, so the transfer outlasts the timeout.
    let received = 0
    const reading = (async () => {
      for await (const chunk of stream) {
        received += (chunk as Buffer).length
        await new Promise(resolve => setTimeout(resolve, 200))
      }
    })()
    await expect(reading).rejects.toThrow(
      `snapshot save from ${tlsMember.clientUrl} did not finish within the timeout of 1s; raise 'timeout' or check the member's load`
    )
    expect(received).toBeGreaterThan(0)
  })
})

/** Protobuf and gRPC framing, written out by hand for the parser tests. */
function varint(value: number): Buffer {
  const bytes: number[] = []
  while (value >= 0x80) {
    bytes.push((value % 0x80) | 0x80)
    value = Math.floor(value / 0x80)
  }
  bytes.push(value)
  return Buffer.from(bytes)
}
const lengthField = (field: number, bytes: Buffer): Buffer =>
  Buffer.concat([varint((field << 3) | 2), varint(bytes.length), bytes])
const varintField = (field: number, value: number): Buffer => Buffer.concat([varint(field << 3), varint(value)])
function grpcFrame(message: Buffer, compressed = 0): Buffer {
  const prefix = Buffer.alloc(5)
  prefix[0] = compressed
  prefix.writeUInt32BE(message.length, 1)
  return Buffer.concat([prefix, message])
}

/** One SnapshotResponse as etcd 3.6 sends it: header, remaining_bytes (omitted when 0), blob, version. */
function response(blob: Buffer, remaining: number, version = true): Buffer {
  const header = lengthField(1, Buffer.concat([varintField(1, 0xdeadbeef), varintField(3, 123456789012)]))
  return grpcFrame(
    Buffer.concat([
      header,
      ...(remaining ? [varintField(2, remaining)] : []),
      lengthField(3, blob),
      ...(version ? [lengthField(4, Buffer.from('3.6.0'))] : []),
      // An unknown fixed64 field: skipped, as protobuf requires.
      Buffer.concat([varint((9 << 3) | 1), Buffer.alloc(8, 1)])
    ])
  )
}

/**
 * A snapshot stream as etcd's Maintenance.Snapshot sends it (3.4 to 3.6): the db in blobs, each with remaining_bytes
 * = db size - bytes sent so far; then the data's sha256 in one more message with remaining_bytes 0.
 */
function responses(blobs: Buffer[], opts: { lastRemaining?: number } = {}): Buffer {
  const total = blobs.reduce((n, b) => n + b.length, 0)
  let sent = 0
  const data = blobs.map((blob, i) => {
    sent += blob.length
    return response(blob, total - sent, i === 0)
  })
  return Buffer.concat([...data, response(trailerOf(blobs), opts.lastRemaining ?? 0)])
}

const trailerOf = (blobs: Buffer[]): Buffer => createHash('sha256').update(Buffer.concat(blobs)).digest()

function parse(stream: Buffer, cuts: number[]): { data: Buffer; incomplete: string | undefined } {
  const out: Buffer[] = []
  const parser = new SnapshotResponseParser(bytes => out.push(Buffer.from(bytes)))
  let at = 0
  for (const cut of [...cuts, stream.length]) {
    parser.feed(stream.subarray(at, cut))
    at = cut
  }
  return { data: Buffer.concat(out), incomplete: parser.incomplete() }
}

describe('SnapshotResponseParser', () => {
  const blobs = [randomBytes(200), randomBytes(300), Buffer.alloc(0), randomBytes(130)]
  const stream = responses(blobs)
  const expected = Buffer.concat([...blobs, trailerOf(blobs)])

  it('gives back the blobs whole, wherever the stream is cut', () => {
    for (let cut = 0; cut <= stream.length; cut++) {
      const { data, incomplete } = parse(stream, [cut])
      expect({ cut, equal: data.equals(expected), incomplete }).toEqual({ cut, equal: true, incomplete: undefined })
    }
  })

  it('gives back the blobs whole when fed one byte at a time', () => {
    const cuts = Array.from({ length: stream.length - 1 }, (_, i) => i + 1)
    expect(parse(stream, cuts).data.equals(expected)).toBe(true)
  })

  it('says what is missing when the stream stops early', () => {
    expect(parse(stream.subarray(0, stream.length - 3), []).incomplete).toBe(
      'the stream ended in the middle of a message'
    )
    expect(parse(stream.subarray(0, 2), []).incomplete).toBe('the stream ended in the middle of a message')
    expect(parse(Buffer.alloc(0), []).incomplete).toBe('the member sent no snapshot data')
    const lastSaysMore = responses([randomBytes(10), randomBytes(10)], { lastRemaining: 4096 })
    expect(parse(lastSaysMore, []).incomplete).toBe('the stream ended with 4096 bytes of the snapshot still to come')
  })

  it('refuses a stream that ends short of the size its first message announced', () => {
    // 1000 bytes announced (the first message's blob and remaining_bytes), 300 sent, then a checksum saying "done".
    const short = Buffer.concat([
      response(randomBytes(100), 900),
      response(randomBytes(200), 700),
      response(randomBytes(32), 0)
    ])
    expect(parse(short, []).incomplete).toBe(
      'the stream ended after 332 of the 1032 bytes the member announced (snapshot and its 32-byte checksum)'
    )
  })

  it('refuses the first byte past the announced size, before handing it over', () => {
    const announced = Buffer.concat([
      response(randomBytes(100), 200),
      response(randomBytes(200), 0),
      response(randomBytes(32), 0)
    ])
    const out: Buffer[] = []
    const parser = new SnapshotResponseParser(bytes => out.push(Buffer.from(bytes)))
    parser.feed(announced)
    expect(() => parser.feed(response(randomBytes(50), 0))).toThrow(
      'the member sent more than the 332 bytes it announced (snapshot and its 32-byte checksum); refused'
    )
    expect(Buffer.concat(out).length).toBe(332)
  })

  it('refuses a message larger than etcd ever sends, before reading it', () => {
    const prefix = Buffer.from([0, 0x7f, 0xff, 0xff, 0xff])
    expect(() => parse(prefix, [])).toThrow(
      "the member sent a 2147483647-byte message; etcd sends its snapshot in 32 KiB messages, so this is not etcd's snapshot stream"
    )
  })

  it('refuses framing it cannot trust', () => {
    const compressed = grpcFrame(lengthField(3, randomBytes(8)), 1)
    expect(() => parse(compressed, [])).toThrow('the member sent a compressed gRPC message, which was not asked for')
    const overrun = grpcFrame(Buffer.concat([varint((3 << 3) | 2), varint(50), randomBytes(10)]))
    expect(() => parse(overrun, [])).toThrow('a field overruns its message')
    const groupWire = grpcFrame(Buffer.from([(3 << 3) | 3]))
    expect(() => parse(groupWire, [])).toThrow('wire type 3')
  })
})

/** A TLS HTTP/2 server on loopback with the test PKI's server certificate, answering every call with `serve`. */
async function hostileMember(
  serve: (stream: http2.ServerHttp2Stream) => void
): Promise<{ url: string; closed: Promise<void>; close: () => Promise<void> }> {
  const server = http2.createSecureServer({
    cert: pki.pem('serverCert'),
    key: pki.pem('serverKey'),
    ca: pki.pem('caCert'),
    requestCert: true
  })
  let streamClosed!: () => void
  const closed = new Promise<void>(resolve => (streamClosed = resolve))
  server.on('stream', stream => {
    stream.on('close', streamClosed)
    stream.on('error', () => undefined)
    serve(stream)
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  return {
    url: `https://127.0.0.1:${port}`,
    closed,
    close: () => new Promise<void>(resolve => server.close(() => resolve()))
  }
}

/** Sends 32 KiB blobs as etcd does, the first announcing `dbSize`, for as long as the client reads. */
function endless(dbSize: number, counter: { sent: number }) {
  return (stream: http2.ServerHttp2Stream): void => {
    stream.respond({ ':status': 200, 'content-type': 'application/grpc' })
    const blob = randomBytes(32 << 10)
    const pump = (): void => {
      while (!stream.destroyed && !stream.closed) {
        counter.sent += blob.length
        if (!stream.write(response(blob, Math.max(0, dbSize - counter.sent), false))) {
          stream.once('drain', pump)
          return
        }
      }
    }
    pump()
  }
}

describe('a member that does not keep to the size it announced', () => {
  const dbSize = 2 << 20

  it('streams forever: refused the moment it passes the announced size; no partial file or plaintext stays', async () => {
    const counter = { sent: 0 }
    const member = await hostileMember(endless(dbSize, counter))
    const folder = mkdtempSync(join(dir, 'endless-'))
    try {
      const source = await openSnapshotStream(member.url, tlsAccess(), 60_000)
      const writing = writeBackupFile({
        source,
        plaintextCopy: join(folder, 'snapshot.db'),
        output: join(folder, 'backup.db.zst'),
        compression: 'zstd',
        compressionLevel: 1,
        encryption: { kind: 'none' }
      })
      await expect(writing).rejects.toThrow(EtcdError)
      await expect(writing).rejects.toThrow(
        `snapshot save from ${member.url} failed: the member sent more than the ${dbSize + 32} bytes it announced (snapshot and its 32-byte checksum); refused`
      )
      // The call is cancelled: the member stops within its flow-control window of the bound.
      await member.closed
      expect(counter.sent).toBeLessThan(dbSize + (24 << 20))
      expect(readdirSync(folder)).toEqual([])
    } finally {
      await member.close()
    }
  })

  it('ends short of it, with a checksum and status OK: refused', async () => {
    const member = await hostileMember(stream => {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true })
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }))
      const half = randomBytes(dbSize / 2)
      stream.write(response(half.subarray(0, 32 << 10), dbSize - (32 << 10), false))
      stream.write(response(half.subarray(32 << 10), dbSize / 2, false))
      stream.end(response(trailerOf([half]), 0, false))
    })
    const folder = mkdtempSync(join(dir, 'short-'))
    try {
      const writing = writeBackupFile({
        source: await openSnapshotStream(member.url, tlsAccess(), 60_000),
        plaintextCopy: join(folder, 'snapshot.db'),
        output: join(folder, 'backup.db'),
        compression: 'none',
        compressionLevel: 0,
        encryption: { kind: 'none' }
      })
      await expect(writing).rejects.toThrow(
        `snapshot save from ${member.url} failed: the stream ended after ${dbSize / 2 + 32} of the ${dbSize + 32} bytes the member announced (snapshot and its 32-byte checksum)`
      )
      expect(readdirSync(folder)).toEqual([])
    } finally {
      await member.close()
    }
  })
})

describe('a server that is not etcd', () => {
  it.each([
    ['garbage', 'this is not HTTP/2, just bytes\n'.repeat(20)],
    ['an HTTP/1.1 answer', 'HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n']
  ])(
    'completes TLS, then sends %s: the save says it does not speak etcd gRPC, not that the member went away',
    async (_what, answer) => {
      const server = tls.createServer(
        {
          cert: pki.pem('serverCert'),
          key: pki.pem('serverKey'),
          ca: pki.pem('caCert'),
          requestCert: true,
          ALPNProtocols: ['h2']
        },
        socket => {
          socket.on('error', () => undefined)
          socket.write(answer)
        }
      )
      await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
      const url = `https://127.0.0.1:${(server.address() as { port: number }).port}`
      try {
        const reading = (async () => drain(await openSnapshotStream(url, tlsAccess(), 30_000)))()
        await expect(reading).rejects.toThrow(EtcdError)
        await expect(reading).rejects.toThrow(
          new RegExp(`^snapshot save from ${url} failed: cannot connect to ${url}: .*gRPC`)
        )
        await expect(reading).rejects.not.toThrow(/closed the connection|no answer in time/)
      } finally {
        server.close()
      }
    }
  )
})
