/** The pass-through hashes: the snapshot's data hash and trailer in one pass, and a plain sha256 and size. */
import { createHash, randomBytes } from 'node:crypto'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { Writable } from 'node:stream'
import { describe, expect, it } from '@jest/globals'
import { SnapshotDigest, StreamDigest, TRAILER_SIZE } from '../../../src/pipeline/digest.js'

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex')

/** Runs `chunks` through the stage and returns what came out. */
async function through(stage: SnapshotDigest | StreamDigest, chunks: Buffer[]): Promise<Buffer> {
  const out: Buffer[] = []
  await pipeline(
    Readable.from(chunks),
    stage,
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        out.push(chunk)
        cb()
      }
    })
  )
  return Buffer.concat(out)
}

/** `data` cut at the given sizes, cycling through them. */
function cut(data: Buffer, sizes: number[]): Buffer[] {
  const chunks: Buffer[] = []
  for (let at = 0, i = 0; at < data.length; i++) {
    const n = sizes[i % sizes.length]!
    chunks.push(data.subarray(at, at + n))
    at += n
  }
  return chunks
}

describe('SnapshotDigest', () => {
  it('hashes all but the last 32 bytes and keeps those as the trailer, however the stream is cut', async () => {
    const data = randomBytes(5000)
    for (const sizes of [[5000], [1], [31, 1, 33], [32], [7, 1000, 3]]) {
      const digest = new SnapshotDigest()
      expect((await through(digest, cut(data, sizes))).equals(data)).toBe(true)
      expect(digest.result()).toEqual({
        size: data.length,
        dataSha256: sha256(data.subarray(0, data.length - TRAILER_SIZE)),
        trailerSha256: data.subarray(data.length - TRAILER_SIZE).toString('hex')
      })
    }
  })

  it('has no trailer for a stream shorter than one', async () => {
    const digest = new SnapshotDigest()
    await through(digest, [randomBytes(20)])
    expect(digest.result()).toEqual({ size: 20, dataSha256: sha256(Buffer.alloc(0)), trailerSha256: '' })
  })
})

describe('StreamDigest', () => {
  it('counts and hashes every byte', async () => {
    const data = randomBytes(3000)
    const digest = new StreamDigest()
    expect((await through(digest, cut(data, [100, 7]))).equals(data)).toBe(true)
    expect(digest.result()).toEqual({ size: 3000, sha256: sha256(data) })
  })
})
