/**
 * The HashKV recorder's run composition against a direct CRC of the filtered stream.
 */
import { randomBytes } from 'node:crypto'
import { describe, expect, it } from '@jest/globals'
import { crc32cFinish, crc32cUpdateBytes, CRC32C_INIT } from '../../../src/verify/crc32c.js'
import { HashKvRecorder } from '../../../src/verify/hashkv.js'

/** etcd's key bucket name, written out here rather than taken from the code under test (which could be wrong). */
const KEY_BUCKET = new TextEncoder().encode('key')

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
