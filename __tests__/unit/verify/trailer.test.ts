/** The sha256 trailer etcd appends to a snapshot: its size rule, reading it, and hashing what precedes it. */
import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from '@jest/globals'
import { SnapshotFile } from '../../../src/verify/reader.js'
import {
  hasSnapshotSize,
  readTrailer,
  sha256OfPrefix,
  SNAPSHOT_BLOCK,
  TRAILER_SIZE
} from '../../../src/verify/trailer.js'

const dir = mkdtempSync(join(tmpdir(), 'trailer-test-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function open(name: string, bytes: Buffer): SnapshotFile {
  const path = join(dir, name)
  writeFileSync(path, bytes)
  return SnapshotFile.open(path)
}

describe('hasSnapshotSize', () => {
  it('accepts 512-byte blocks plus the 32-byte trailer and nothing else', () => {
    expect(hasSnapshotSize(4 * SNAPSHOT_BLOCK + TRAILER_SIZE)).toBe(true)
    expect(hasSnapshotSize(TRAILER_SIZE)).toBe(true)
    expect(hasSnapshotSize(4 * SNAPSHOT_BLOCK)).toBe(false)
    expect(hasSnapshotSize(4 * SNAPSHOT_BLOCK + TRAILER_SIZE + 1)).toBe(false)
  })
})

describe('readTrailer and sha256OfPrefix', () => {
  it('read the last 32 bytes and hash the rest, which agree on a sound snapshot', async () => {
    const data = randomBytes(3 * SNAPSHOT_BLOCK)
    const digest = createHash('sha256').update(data).digest()
    const file = open('sound.db', Buffer.concat([data, digest]))
    try {
      expect(readTrailer(file)).toBe(digest.toString('hex'))
      await expect(sha256OfPrefix(file, data.length)).resolves.toBe(digest.toString('hex'))
    } finally {
      file.close()
    }
  })

  it('readTrailer is empty for a file shorter than a trailer', () => {
    const file = open('short.db', randomBytes(TRAILER_SIZE - 1))
    try {
      expect(readTrailer(file)).toBe('')
    } finally {
      file.close()
    }
  })

  it('sha256OfPrefix rejects when the file ends before the length asked for', async () => {
    const file = open('truncated.db', randomBytes(100))
    try {
      await expect(sha256OfPrefix(file, 200)).rejects.toThrow(/ended at byte 100 while hashing/)
    } finally {
      file.close()
    }
  })

  it('hashes a large file in a worker to the same digest', async () => {
    const data = Buffer.alloc(33 * 1024 * 1024, 7)
    const file = open('large.db', data)
    try {
      await expect(sha256OfPrefix(file, data.length - 5)).resolves.toBe(
        createHash('sha256')
          .update(data.subarray(0, data.length - 5))
          .digest('hex')
      )
    } finally {
      file.close()
    }
  })
})
