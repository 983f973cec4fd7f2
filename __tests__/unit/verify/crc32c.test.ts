/**
 * The arithmetic under the status hash and HashKV: CRC-32C against published check values and a bit-by-bit
 * reference, and the zero-byte shift used to compose CRCs.
 */
import { randomBytes } from 'node:crypto'
import { describe, expect, it } from '@jest/globals'
import { crc32c, crc32cShift, crc32cUpdate, CRC32C_INIT } from '../../../src/verify/crc32c.js'

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
