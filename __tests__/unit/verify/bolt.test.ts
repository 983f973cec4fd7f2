/**
 * bbolt's meta pages and the small readers under the structure walk. The walk itself (trees, freelist, overflow) is
 * tested through verifySnapshot in verify.hostile.test.ts and against real snapshots in the e2e corruption tests.
 */
import { describe, expect, it } from '@jest/globals'
import { compareMetas, hexU32, isValidPageSize, parseMeta, readU64, u64Text } from '../../../src/verify/bolt.js'
import { PageBuffer } from '../../../src/verify/reader.js'
import { metaPage } from '../../harness/bolt-builder.js'
import { fixMetaChecksum } from '../../harness/bolt-layout.js'

const PAGE = 4096

/** Both meta pages as `snapshot save` writes them, in a page buffer; `change` may damage the bytes first. */
function metas(change?: (bytes: Buffer) => void): PageBuffer {
  const bytes = Buffer.alloc(2 * PAGE)
  metaPage(0, PAGE, 3, 10, 8).copy(bytes, 0)
  metaPage(1, PAGE, 3, 10, 7).copy(bytes, PAGE)
  change?.(bytes)
  const buf = new PageBuffer(bytes.length)
  buf.bytes.set(bytes)
  return buf
}

describe('parseMeta', () => {
  it('reads a sound meta page with no problems', () => {
    const meta = parseMeta(metas(), 0, 0, PAGE)
    expect(meta.problems).toEqual([])
    expect(meta).toMatchObject({
      index: 0,
      magic: 0xed0cdaed,
      version: 2,
      pageSize: PAGE,
      root: 3,
      freelist: -1,
      hwm: 10,
      txid: 8
    })
  })

  it('names a bad checksum, a bad magic and a root outside the file, by byte', () => {
    const flipped = parseMeta(
      metas(b => (b[16 + 40] = 11)),
      0,
      0,
      PAGE
    )
    expect(flipped.problems).toHaveLength(1)
    expect(flipped.problems[0]).toMatch(
      /^meta page 0 \(byte 0\): checksum [0-9a-f]+ at byte 72 does not match FNV-1a of the meta fields/
    )
    const notBolt = parseMeta(
      metas(b => (b.writeUInt32LE(0x12345678, 16), fixMetaChecksum(b, 0))),
      0,
      0,
      PAGE
    )
    expect(notBolt.problems).toEqual([
      'meta page 0 (byte 0): magic 0x12345678 at byte 16, expected 0xed0cdaed (not a bbolt file)'
    ])
    const farRoot = parseMeta(
      metas(b => (b.writeBigUInt64LE(99n, 32), fixMetaChecksum(b, 0))),
      0,
      0,
      PAGE
    )
    expect(farRoot.problems).toEqual(['meta page 0 (byte 0): root page 99 (byte 32) is outside 2..9'])
  })

  it('refuses bytes after the meta fields, which bbolt always leaves zero', () => {
    const meta = parseMeta(
      metas(b => (b[PAGE + 100] = 1)),
      PAGE,
      1,
      PAGE
    )
    expect(meta.problems).toEqual([
      `meta page 1 (byte ${PAGE}): byte ${PAGE + 100} after the meta fields is 1, expected 0`
    ])
  })
})

describe('compareMetas', () => {
  it('accepts the pair a snapshot writes, and names the first field that differs', () => {
    const buf = metas()
    const m0 = parseMeta(buf, 0, 0, PAGE)
    const m1 = parseMeta(buf, PAGE, 1, PAGE)
    expect(compareMetas(m0, m1)).toBe('')
    expect(compareMetas(m0, { ...m1, hwm: 12 })).toBe(
      `meta page 1 (byte ${PAGE + 56}): high-water mark 12 differs from meta page 0's 10; a snapshot writes both from one transaction`
    )
    expect(compareMetas(m0, { ...m1, txid: 8 })).toBe(
      `meta page 1 (byte ${PAGE + 64}): txid 8 is not meta page 0's txid 8 minus 1, as a snapshot writes them`
    )
  })
})

describe('small readers', () => {
  it('isValidPageSize: powers of two from 512 to 64 KiB', () => {
    expect([512, 4096, 65536].every(isValidPageSize)).toBe(true)
    expect([0, 256, 1000, 131072].some(isValidPageSize)).toBe(false)
  })

  it('readU64 is exact below 2^53 and -1 above; u64Text is exact always', () => {
    const view = new DataView(new ArrayBuffer(16))
    view.setBigUint64(0, 2n ** 53n - 1n, true)
    view.setBigUint64(8, 2n ** 64n - 1n, true)
    expect(readU64(view, 0)).toBe(Number.MAX_SAFE_INTEGER)
    expect(readU64(view, 8)).toBe(-1)
    expect(u64Text(view, 8)).toBe('18446744073709551615')
  })

  it('hexU32 writes eight hex digits', () => {
    expect(hexU32(4)).toBe('0x00000004')
    expect(hexU32(-1)).toBe('0xffffffff')
  })
})
