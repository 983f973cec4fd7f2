/** Telling a whole zstd stream from one that is truncated or has something appended, from the frame headers alone. */
import { randomBytes } from 'node:crypto'
import * as zlib from 'node:zlib'
import { describe, expect, it } from '@jest/globals'
import { ENDS_INSIDE_FRAME, ZstdFrameWalker } from '../../../src/pipeline/zstd-frames.js'

const data = Buffer.concat([randomBytes(70_000), Buffer.alloc(300_000, 'registry')])
const frame = zlib.zstdCompressSync(data, { params: { [zlib.constants.ZSTD_c_checksumFlag]: 1 } })

/** Feeds the stream in pieces of `size` bytes and returns what the walker says at the end. */
function walk(stream: Buffer, size = stream.length): string | undefined {
  const walker = new ZstdFrameWalker()
  for (let at = 0; at < stream.length; at += size) walker.feed(stream.subarray(at, at + size))
  return walker.incomplete()
}

function skippable(payload: Buffer): Buffer {
  const head = Buffer.alloc(8)
  head.writeUInt32LE(0x184d2a53, 0)
  head.writeUInt32LE(payload.length, 4)
  return Buffer.concat([head, payload])
}

describe('ZstdFrameWalker', () => {
  it('finds a whole stream whole, in one piece or byte by byte, with several and skippable frames', () => {
    expect(walk(frame)).toBeUndefined()
    expect(walk(frame, 1)).toBeUndefined()
    expect(walk(Buffer.concat([frame, skippable(randomBytes(10)), frame]), 4093)).toBeUndefined()
    expect(walk(Buffer.alloc(0))).toBeUndefined()
  })

  it('says when the stream ends inside a frame', () => {
    for (const cutAt of [5, 200, frame.length - 1]) expect(walk(frame.subarray(0, cutAt))).toBe(ENDS_INSIDE_FRAME)
  })

  it('refuses bytes after the last frame', () => {
    expect(walk(Buffer.concat([frame, Buffer.from([1, 2])]))).toBe('2 stray bytes follow the last zstd frame')
    expect(walk(frame.subarray(0, 3))).toBe('3 stray bytes follow the last zstd frame')
    expect(() => walk(Buffer.concat([frame, Buffer.from('appended text')]))).toThrow(
      `data that is not zstd follows the last zstd frame (at byte ${frame.length})`
    )
  })

  it('refuses a frame header with the reserved bit set', () => {
    const bad = Buffer.from(frame)
    bad[4]! |= 0x08
    expect(() => walk(bad)).toThrow('a zstd frame header sets a reserved bit (byte 4)')
  })
})
