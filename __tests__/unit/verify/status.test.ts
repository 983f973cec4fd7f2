/** etcdctl's snapshot status hash: one CRC-32C over bucket names, keys and values in order, and the entry count. */
import { describe, expect, it } from '@jest/globals'
import { crc32c } from '../../../src/verify/crc32c.js'
import { StatusHash } from '../../../src/verify/status.js'

const text = (s: string): Uint8Array => new TextEncoder().encode(s)

describe('StatusHash', () => {
  it('hashes bucket names, keys and values as one stream and counts entries', () => {
    const status = new StatusHash()
    status.bucketName(text('key'))
    status.entry(text('k1'), text('v1'))
    status.entry(text('k2'), text('v2'))
    status.bucketName(text('meta'))
    status.entry(text('consistent_index'), text('\x00\x00\x00\x00\x00\x00\x00\x07'))
    expect(status.hash).toBe(crc32c(text('keyk1v1k2v2metaconsistent_index\x00\x00\x00\x00\x00\x00\x00\x07')))
    expect(status.totalKey).toBe(3)
  })

  it('depends on the order of what it is fed', () => {
    const a = new StatusHash()
    a.entry(text('k1'), text('v1'))
    const b = new StatusHash()
    b.entry(text('v1'), text('k1'))
    expect(a.hash).not.toBe(b.hash)
    expect(new StatusHash().hash).toBe(crc32c(new Uint8Array(0)))
  })
})
