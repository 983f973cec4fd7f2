/**
 * The save: etcd's Maintenance.Snapshot stream read over our own gRPC client (src/etcd/grpc.ts,
 * src/etcd/snapshot-stream.ts) against real etcd 3.4 members, compared byte for byte with `etcdctl snapshot save`;
 * and the stream parser on its own, fed the same messages cut at every possible place.
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { EtcdError } from '../src/errors.js'
import { openSnapshotStream, SnapshotResponseParser } from '../src/etcd/snapshot-stream.js'
import { startEtcd, stopAll, type EtcdMember } from './support/etcd.js'
import { makePki, type Pki } from './support/pki.js'
import { seedKubernetes } from './support/seed.js'
import { saveSnapshot } from './support/snapshots.js'

let dir: string
let pki: Pki
let tlsMember: EtcdMember
let plainMember: EtcdMember

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'snapshot-stream-'))
  pki = await makePki(join(dir, 'pki'))
  ;[tlsMember, plainMember] = await Promise.all([startEtcd({ pki }), startEtcd({ name: 'plain' })])
  // Values up to a few hundred KiB, so etcd's 32 KiB messages and HTTP/2's 16 KiB frames fall everywhere.
  await Promise.all([seedKubernetes(tlsMember, { objects: 3000, seed: 21 }), seedKubernetes(plainMember, { objects: 300, seed: 22 })])
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

describe('the snapshot stream from a real member', () => {
  it('over mutual TLS: exactly the bytes etcdctl snapshot save writes, trailer included', async () => {
    const reference = join(dir, 'tls.db')
    await saveSnapshot(tlsMember, reference)
    const streamed = await drain(await openSnapshotStream(tlsMember.clientUrl, tlsAccess(), 60_000))
    const expected = readFileSync(reference)
    expect(streamed.length).toBe(expected.length)
    expect(streamed.length).toBeGreaterThan(4 << 20)
    expect(streamed.equals(expected)).toBe(true)
  })

  it('over plain HTTP (h2c), as an etcd without TLS serves it', async () => {
    const reference = join(dir, 'plain.db')
    await saveSnapshot(plainMember, reference)
    const streamed = await drain(await openSnapshotStream(plainMember.clientUrl, {}, 60_000))
    expect(streamed.equals(readFileSync(reference))).toBe(true)
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
    const reference = readFileSync(join(dir, 'tls.db'))
    expect(Buffer.concat([first, rest]).equals(reference)).toBe(true)
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
const lengthField = (field: number, bytes: Buffer): Buffer => Buffer.concat([varint((field << 3) | 2), varint(bytes.length), bytes])
const varintField = (field: number, value: number): Buffer => Buffer.concat([varint(field << 3), varint(value)])
function grpcFrame(message: Buffer, compressed = 0): Buffer {
  const prefix = Buffer.alloc(5)
  prefix[0] = compressed
  prefix.writeUInt32BE(message.length, 1)
  return Buffer.concat([prefix, message])
}

/** SnapshotResponse messages as etcd 3.6 sends them: header, remaining_bytes (omitted when 0), blob, version. */
function responses(blobs: Buffer[], opts: { lastRemaining?: number } = {}): Buffer {
  const total = blobs.reduce((n, b) => n + b.length, 0)
  let sent = 0
  return Buffer.concat(
    blobs.map((blob, i) => {
      sent += blob.length
      const remaining = i === blobs.length - 1 && opts.lastRemaining !== undefined ? opts.lastRemaining : total - sent
      const header = lengthField(1, Buffer.concat([varintField(1, 0xdeadbeef), varintField(3, 123456789012)]))
      return grpcFrame(
        Buffer.concat([
          header,
          ...(remaining ? [varintField(2, remaining)] : []),
          lengthField(3, blob),
          ...(i === 0 ? [lengthField(4, Buffer.from('3.6.0'))] : []),
          // An unknown fixed64 field: skipped, as protobuf requires.
          Buffer.concat([varint((9 << 3) | 1), Buffer.alloc(8, 1)])
        ])
      )
    })
  )
}

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
  const expected = Buffer.concat(blobs)

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
    expect(parse(stream.subarray(0, stream.length - 3), []).incomplete).toBe('the stream ended in the middle of a message')
    expect(parse(stream.subarray(0, 2), []).incomplete).toBe('the stream ended in the middle of a message')
    expect(parse(Buffer.alloc(0), []).incomplete).toBe('the member sent no snapshot data')
    const lastSaysMore = responses([randomBytes(10), randomBytes(10)], { lastRemaining: 4096 })
    expect(parse(lastSaysMore, []).incomplete).toBe('the stream ended with 4096 bytes of the snapshot still to come')
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
