/** The size guard: a snapshot passes whole; a bomb, a non-bbolt stream or a truncated one is stopped. */
import { Readable, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { describe, expect, it } from '@jest/globals'
import { VerificationError } from '../../../src/errors.js'
import { SnapshotSizeGuard } from '../../../src/pipeline/snapshot-size.js'
import { boltBytes, buildBolt, inlineBucket, keyValue, revisionKey } from '../../harness/bolt-builder.js'
import { withTrailer } from '../../harness/bolt-layout.js'

const PAGE = 4096
/** A tiny etcd snapshot: 3 pages (two meta, the root leaf) and the trailer. */
const snapshot = withTrailer(
  boltBytes(
    buildBolt({
      pageSize: PAGE,
      root: 2,
      pages: [
        {
          id: 2,
          leaf: [
            {
              key: Buffer.from('key'),
              value: inlineBucket([{ key: revisionKey(2), value: keyValue('/a', 2, Buffer.from('b')) }]),
              bucket: true
            }
          ]
        }
      ]
    })
  )
)

/** Runs `data` (in chunks of `size`) through a guard; resolves to the bytes that passed, or rejects. */
async function guard(data: Buffer, recordedSize?: number, size = 1000): Promise<number> {
  let passed = 0
  const chunks: Buffer[] = []
  for (let at = 0; at < data.length; at += size) chunks.push(data.subarray(at, at + size))
  await pipeline(
    Readable.from(chunks),
    new SnapshotSizeGuard('backup.db.zst.age', recordedSize),
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        passed += chunk.length
        cb()
      }
    })
  )
  return passed
}

describe('SnapshotSizeGuard', () => {
  it('passes a snapshot of the size its meta pages declare', async () => {
    expect(snapshot.length).toBe(3 * PAGE + 32)
    await expect(guard(snapshot)).resolves.toBe(snapshot.length)
    await expect(guard(snapshot, snapshot.length, 1)).resolves.toBe(snapshot.length)
  })

  it('stops a stream that grows past the declared size', async () => {
    const grown = Buffer.concat([snapshot, Buffer.alloc(PAGE * 8, 0xaa)])
    await expect(guard(grown)).rejects.toThrow(VerificationError)
    await expect(guard(grown)).rejects.toThrow(
      /^backup\.db\.zst\.age: the unpacked snapshot grows past the 12320 bytes its first page declares \(high-water mark 3 × page size 4096 \+ 32-byte trailer\); stopped and removed/
    )
  })

  it('stops at the size the manifest records when that is smaller', async () => {
    await expect(guard(snapshot, snapshot.length - 32)).rejects.toThrow(
      /grows past the 12288 bytes its manifest records/
    )
  })

  it('lets a member database end in whole pages of zeros (bbolt preallocation)', async () => {
    const member = Buffer.concat([snapshot.subarray(0, 3 * PAGE), Buffer.alloc(PAGE * 3)])
    await expect(guard(member)).resolves.toBe(member.length)
  })

  it('refuses what is not bbolt, and a stream that ends before the meta pages', async () => {
    await expect(guard(Buffer.alloc(PAGE * 2, 0x41))).rejects.toThrow(
      /^backup\.db\.zst\.age does not hold an etcd snapshot: its first page is not bbolt \(magic 0x41414141 at byte 16, expected 0xed0cdaed\)/
    )
    await expect(guard(Buffer.alloc(0))).rejects.toThrow(/it is empty, before bbolt's two meta pages are complete/)
    await expect(guard(snapshot.subarray(0, PAGE))).rejects.toThrow(/it ends after 4096 bytes/)
  })
})
