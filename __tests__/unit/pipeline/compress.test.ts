/** The compressor and file extension for each compression format. */
import { randomBytes } from 'node:crypto'
import { Readable } from 'node:stream'
import { buffer } from 'node:stream/consumers'
import * as zlib from 'node:zlib'
import { describe, expect, it } from '@jest/globals'
import { createCompressor } from '../../../src/pipeline/compress.js'

async function compress(format: 'zstd' | 'gzip', data: Buffer, level: number): Promise<Buffer> {
  return buffer(Readable.from([data]).pipe(createCompressor(format, level)!))
}

describe('createCompressor', () => {
  const data = Buffer.concat([randomBytes(1000), Buffer.alloc(200_000, 'etcd')])

  it('writes zstd with a content checksum that zstd decompresses', async () => {
    const packed = await compress('zstd', data, 3)
    expect(packed.readUInt32LE(0)).toBe(0xfd2fb528)
    expect(packed[4]! & 0x04).toBe(0x04) // Content_Checksum_flag in the frame header descriptor
    expect(packed.length).toBeLessThan(data.length / 10)
    expect(zlib.zstdDecompressSync(packed).equals(data)).toBe(true)
  })

  it('writes gzip at the level asked for', async () => {
    const fast = await compress('gzip', data, 1)
    const best = await compress('gzip', data, 9)
    expect(fast[0]).toBe(0x1f)
    expect(best.length).toBeLessThanOrEqual(fast.length)
    expect(zlib.gunzipSync(best).equals(data)).toBe(true)
  })

  it('has no stage for none', () => {
    expect(createCompressor('none', 3)).toBeUndefined()
  })
})
