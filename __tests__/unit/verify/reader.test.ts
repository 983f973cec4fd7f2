/**
 * The snapshot reader serves reads that continue the last one from a window read ahead of them. Whatever the mix of
 * consecutive runs, jumps back and forth, reads that straddle the window's end and reads past the end of the file,
 * every read must return exactly the file's bytes, and fewer only at the end of the file.
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from '@jest/globals'
import { SnapshotFile } from '../../../src/verify/reader.js'

const dir = mkdtempSync(join(tmpdir(), 'snapshot-reader-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** A file of random bytes whose size is not a multiple of any window or page size. */
function randomFile(size: number): { path: string; bytes: Buffer } {
  const bytes = randomBytes(size)
  const path = join(dir, `f-${size}-${Math.random().toString(36).slice(2)}`)
  writeFileSync(path, bytes)
  return { path, bytes }
}

/** Reads [position, position + length) through the reader and checks it against the file's bytes. */
function expectRead(file: SnapshotFile, bytes: Buffer, position: number, length: number): void {
  const buf = new Uint8Array(length + 8).fill(0xa5)
  const got = file.read(buf, 4, length, position)
  const want = bytes.subarray(Math.min(position, bytes.length), Math.min(position + length, bytes.length))
  expect({ position, length, got }).toEqual({ position, length, got: want.length })
  expect(Buffer.from(buf.subarray(4, 4 + got)).equals(want)).toBe(true)
  // Nothing is written around what was asked for.
  expect([...buf.subarray(0, 4), ...buf.subarray(4 + got)].every(b => b === 0xa5)).toBe(true)
}

describe('SnapshotFile.read', () => {
  it('returns the file bytes for page-by-page runs, straddling reads, jumps and reads past the end', () => {
    const { path, bytes } = randomFile(300 * 1024 + 123)
    const file = SnapshotFile.open(path)
    try {
      // Nothing asked before any window exists, and of an empty file.
      expectRead(file, bytes, 0, 0)
      const empty = randomFile(0)
      const emptyFile = SnapshotFile.open(empty.path)
      expectRead(emptyFile, empty.bytes, 0, 0)
      expectRead(emptyFile, empty.bytes, 0, 4096)
      emptyFile.close()
      // A run of consecutive 4 KiB pages across several 64 KiB windows, then an 8 KiB page that straddles one.
      for (let p = 0; p < 40; p++) expectRead(file, bytes, p * 4096, 4096)
      expectRead(file, bytes, 40 * 4096, 8192)
      expectRead(file, bytes, 42 * 4096, 4096)
      // Back into the window just read, forward past it, and to the start.
      expectRead(file, bytes, 41 * 4096, 100)
      expectRead(file, bytes, 200 * 1024, 4096)
      expectRead(file, bytes, 200 * 1024 + 4096, 4096)
      expectRead(file, bytes, 0, 16)
      // Consecutive reads up to and past the end of the file: the last returns what is there, then nothing.
      expectRead(file, bytes, bytes.length - 5000, 4096)
      expectRead(file, bytes, bytes.length - 5000 + 4096, 4096)
      expectRead(file, bytes, bytes.length, 4096)
      expectRead(file, bytes, bytes.length + 10, 10)
      // A read larger than the window, consecutive with the last.
      expectRead(file, bytes, 4096, 200 * 1024)
      expectRead(file, bytes, 4096 + 200 * 1024, 4096)
    } finally {
      file.close()
    }
  })

  it('returns the file bytes for 5,000 random reads, mostly consecutive as a walk makes them', () => {
    const { path, bytes } = randomFile(1024 * 1024 + 777)
    const file = SnapshotFile.open(path)
    try {
      let next = 0
      for (let i = 0; i < 5000; i++) {
        const r = Math.random()
        // 80% continue the last read, the rest jump anywhere (past the end too); lengths from 1 byte to 3 pages.
        const position = r < 0.8 ? next : Math.floor(Math.random() * (bytes.length + 8192))
        const length = 1 + Math.floor(Math.random() * (r < 0.4 ? 4096 : 12288))
        expectRead(file, bytes, position, length)
        next = position + length
      }
    } finally {
      file.close()
    }
  })
})
