/**
 * The hints read along one root-to-leaf path (the revision, whether any lease exists), and their refusal to guess on
 * anything unusual.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from '@jest/globals'
import { peekHasLeases, peekRevision } from '../../../src/verify/peek.js'
import {
  boltBytes,
  bucketHeader,
  buildBolt,
  inlineBucket,
  keyValue,
  revisionKey,
  type PageSpec
} from '../../harness/bolt-builder.js'
import { withTrailer } from '../../harness/bolt-layout.js'

const dir = mkdtempSync(join(tmpdir(), 'peek-test-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function snapshot(name: string, pageSize: number, rootLeaf: PageSpec['leaf'], pages: PageSpec[] = []): string {
  const path = join(dir, name)
  writeFileSync(
    path,
    withTrailer(boltBytes(buildBolt({ pageSize, root: 2, pages: [{ id: 2, leaf: rootLeaf }, ...pages] })))
  )
  return path
}

const metaBucket = { key: Buffer.from('meta'), value: inlineBucket([]), bucket: true }

describe('peekRevision', () => {
  it("is the main revision of the key bucket's last key", () => {
    for (const pageSize of [4096, 16384]) {
      const path = snapshot(
        `revision-${pageSize}.db`,
        pageSize,
        [{ key: Buffer.from('key'), value: bucketHeader(3), bucket: true }, metaBucket],
        [
          {
            id: 3,
            leaf: [
              { key: revisionKey(5), value: keyValue('/a', 5, Buffer.from('x')) },
              { key: revisionKey(1234, 1), value: keyValue('/b', 1234, Buffer.from('y')) }
            ]
          }
        ]
      )
      expect(peekRevision(path)).toBe(1234)
    }
  })

  it('gives no hint for a key bucket small enough to sit inline', () => {
    const inline = inlineBucket([{ key: revisionKey(2), value: keyValue('/a', 2, Buffer.from('b')) }])
    const path = snapshot('inline.db', 4096, [{ key: Buffer.from('key'), value: inline, bucket: true }, metaBucket])
    expect(peekRevision(path)).toBeUndefined()
  })

  it('gives no hint for a file without a key bucket, a file that is not bbolt, or no file at all', () => {
    expect(peekRevision(snapshot('no-key-bucket.db', 4096, [metaBucket]))).toBeUndefined()
    const junk = join(dir, 'junk.db')
    writeFileSync(junk, Buffer.alloc(64 * 1024, 0x41))
    expect(peekRevision(junk)).toBeUndefined()
    expect(peekRevision(join(dir, 'missing.db'))).toBeUndefined()
  })
})

describe('peekHasLeases', () => {
  const lease = (id: number): { key: Buffer; value: Buffer } => {
    const key = Buffer.alloc(8)
    key.writeBigInt64BE(BigInt(id))
    return { key, value: Buffer.from([0x08, id, 0x10, 60]) } // leasepb.Lease{ID, TTL: 60}
  }
  const leaseBucket = (value: Buffer): { key: Buffer; value: Buffer; bucket: boolean } => ({
    key: Buffer.from('lease'),
    value,
    bucket: true
  })

  it('is false for an empty lease bucket, inline or on a page of its own', () => {
    expect(peekHasLeases(snapshot('no-leases.db', 4096, [leaseBucket(inlineBucket([])), metaBucket]))).toBe(false)
    const onPage = snapshot(
      'no-leases-page.db',
      4096,
      [leaseBucket(bucketHeader(3)), metaBucket],
      [{ id: 3, leaf: [] }]
    )
    expect(peekHasLeases(onPage)).toBe(false)
  })

  it('is true for a lease inline or on a page of its own', () => {
    const inline = snapshot('lease-inline.db', 4096, [leaseBucket(inlineBucket([lease(7)])), metaBucket])
    expect(peekHasLeases(inline)).toBe(true)
    const onPage = snapshot(
      'lease-page.db',
      16384,
      [leaseBucket(bucketHeader(3)), metaBucket],
      [{ id: 3, leaf: [lease(7), lease(9)] }]
    )
    expect(peekHasLeases(onPage)).toBe(true)
  })

  it('cannot tell without a lease bucket, for a root page out of the file, or for a file that is not bbolt', () => {
    expect(peekHasLeases(snapshot('no-lease-bucket.db', 4096, [metaBucket]))).toBeUndefined()
    expect(
      peekHasLeases(snapshot('lease-root-out.db', 4096, [leaseBucket(bucketHeader(99)), metaBucket]))
    ).toBeUndefined()
    const junk = join(dir, 'junk-leases.db')
    writeFileSync(junk, Buffer.alloc(64 * 1024, 0x41))
    expect(peekHasLeases(junk)).toBeUndefined()
  })
})
