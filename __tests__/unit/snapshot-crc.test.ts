/**
 * The arithmetic under the status hash and HashKV: CRC-32C against published check values and a bit-by-bit
 * reference, the zero-byte shift used to compose CRCs, and the HashKV recorder's run composition against a direct
 * CRC of the filtered stream.
 */
import { randomBytes } from 'node:crypto'
import { describe, expect, it } from '@jest/globals'
import {
  crc32c,
  crc32cFinish,
  crc32cShift,
  crc32cUpdate,
  crc32cUpdateBytes,
  CRC32C_INIT
} from '../../src/verify/crc32c.js'
import { HashKvRecorder } from '../../src/verify/hashkv.js'

/** etcd's key bucket name, written out here rather than taken from the code under test (which could be wrong). */
const KEY_BUCKET = new TextEncoder().encode('key')

/** Bit-at-a-time CRC-32C, the definition. */
function reference(bytes: Uint8Array, register = CRC32C_INIT): number {
  let c = register >>> 0
  for (const b of bytes) {
    c ^= b
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1
  }
  return c | 0
}

function aligned(bytes: Uint8Array): { bytes: Uint8Array; words: Int32Array } {
  const ab = new ArrayBuffer(Math.ceil(bytes.length / 4) * 4 + 16)
  const copy = new Uint8Array(ab, 0, bytes.length)
  copy.set(bytes)
  return { bytes: copy, words: new Int32Array(ab) }
}

describe('CRC-32C', () => {
  it('matches the published check values (RFC 3720 B.4 and "123456789")', () => {
    expect(crc32c(new TextEncoder().encode('123456789'))).toBe(0xe3069283)
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa)
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43)
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e)
  })

  it('the sliced word loop equals the bit-by-bit definition at every alignment and length', () => {
    const data = aligned(randomBytes(4096))
    for (let start = 0; start < 9; start++) {
      for (const len of [0, 1, 3, 15, 16, 17, 31, 64, 1000, 4000 - start]) {
        const want = reference(data.bytes.subarray(start, start + len))
        expect(crc32cUpdate(CRC32C_INIT, data.bytes, data.words, start, start + len)).toBe(want)
      }
    }
  })

  it('works on a view that starts at an unaligned offset of its buffer', () => {
    const ab = new ArrayBuffer(1024)
    const bytes = new Uint8Array(ab, 3, 1000)
    bytes.set(randomBytes(1000))
    expect(crc32cUpdate(CRC32C_INIT, bytes, new Int32Array(ab), 5, 900)).toBe(reference(bytes.subarray(5, 900)))
  })

  it('shifting a register by n equals feeding n zero bytes', () => {
    for (const n of [0, 1, 7, 8, 100, 4096, 65537, 1_000_003]) {
      const reg = reference(randomBytes(20))
      expect(crc32cShift(reg, n)).toBe(reference(new Uint8Array(n), reg))
    }
  })
})

describe('HashKV recorder', () => {
  it('composes the CRC of kept entries from registers recorded in the full stream', () => {
    for (let trial = 0; trial < 20; trial++) {
      const compact = 50
      const entries = Array.from({ length: 120 }, (_, i) => ({ main: i + 1, bytes: randomBytes(5 + ((i * 37) % 90)) }))
      const dropped = new Set(entries.filter(e => e.main <= compact && Math.random() < 0.3).map(e => e.main))
      // The status stream: other bytes first, then "key", then every entry.
      let reg = crc32cUpdateBytes(crc32cUpdateBytes(CRC32C_INIT, randomBytes(33)), KEY_BUCKET)
      const rec = new HashKvRecorder(compact, Number.MAX_SAFE_INTEGER)
      rec.begin(reg)
      for (const e of entries) {
        const after = crc32cUpdateBytes(reg, e.bytes)
        const ord = rec.add(e.main, reg, after, e.bytes.length, false)
        if (dropped.has(e.main)) rec.drop(ord)
        reg = after
      }
      let direct = crc32cUpdateBytes(CRC32C_INIT, KEY_BUCKET)
      for (const e of entries) if (!dropped.has(e.main)) direct = crc32cUpdateBytes(direct, e.bytes)
      expect(rec.finish(false, 120).hash).toBe(crc32cFinish(direct))
      let all = crc32cUpdateBytes(CRC32C_INIT, KEY_BUCKET)
      for (const e of entries) all = crc32cUpdateBytes(all, e.bytes)
      expect(rec.finish(true, 120).hash).toBe(crc32cFinish(all))
    }
  })
})
