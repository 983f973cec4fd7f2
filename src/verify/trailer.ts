/**
 * etcd's snapshot trailer: the server streams the bbolt file, then the sha256 of everything it sent; etcdctl writes
 * both. So a snapshot is 512·n + 32 bytes (bbolt pages are multiples of 512) and its last 32 bytes are the sha256 of
 * the rest.
 *
 * Hashing runs in a worker thread for large files so the structure walk on the main thread proceeds at the same
 * time (two cores, two passes over the page cache). The worker is plain JavaScript passed as a string, so it needs
 * no separate file in the bundle.
 */
import { createHash } from 'node:crypto'
import { Worker } from 'node:worker_threads'
import { SnapshotReadError, type SnapshotFile } from './reader.js'

export const TRAILER_SIZE = 32
export const SNAPSHOT_BLOCK = 512

/** Whether `size` bytes can be `snapshot save` output: bbolt data padded to 512-byte blocks, then the trailer. */
export function hasSnapshotSize(size: number): boolean {
  return size % SNAPSHOT_BLOCK === TRAILER_SIZE
}
/** Below this, hashing inline is cheaper than starting a worker. */
const WORKER_THRESHOLD = 32 * 1024 * 1024
const CHUNK = 1024 * 1024

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const { openSync, readSync, closeSync, fstatSync, constants } = require('node:fs')
const { createHash } = require('node:crypto')
const { path, length, chunk } = workerData
let fd = -1
try {
  fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK)
  if (!fstatSync(fd).isFile()) throw new Error('it is no longer a regular file')
  const buf = Buffer.allocUnsafe(chunk)
  const hash = createHash('sha256')
  let pos = 0
  while (pos < length) {
    const n = readSync(fd, buf, 0, Math.min(chunk, length - pos), pos)
    if (n === 0) throw new Error('file ended at byte ' + pos + ' while hashing')
    hash.update(n === buf.length ? buf : buf.subarray(0, n))
    pos += n
  }
  parentPort.postMessage({ digest: hash.digest('hex') })
} catch (e) {
  parentPort.postMessage({ error: (e && e.message) || String(e) })
} finally {
  if (fd >= 0) closeSync(fd)
}
`

/** sha256 (hex) of the first `length` bytes of the file. I/O failures reject with a VerificationError. */
export function sha256OfPrefix(file: SnapshotFile, length: number): Promise<string> {
  if (length < WORKER_THRESHOLD) {
    try {
      const hash = createHash('sha256')
      const buf = new Uint8Array(Math.min(CHUNK, Math.max(length, 1)))
      let pos = 0
      while (pos < length) {
        const n = file.read(buf, 0, Math.min(buf.length, length - pos), pos)
        if (n === 0) throw new SnapshotReadError(`${file.path} ended at byte ${pos} while hashing`)
        hash.update(buf.subarray(0, n))
        pos += n
      }
      return Promise.resolve(hash.digest('hex'))
    } catch (e: unknown) {
      return Promise.reject(e)
    }
  }
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { path: file.path, length, chunk: CHUNK } })
    let settled = false
    worker.once('message', (msg: { digest?: string; error?: string }) => {
      settled = true
      if (msg.digest) resolve(msg.digest)
      else reject(new SnapshotReadError(`cannot hash ${file.path}: ${msg.error ?? 'unknown error'}`))
    })
    worker.once('error', (e: Error) => {
      if (!settled) reject(new SnapshotReadError(`cannot hash ${file.path}: ${e.message}`))
      settled = true
    })
    worker.once('exit', code => {
      if (!settled) reject(new SnapshotReadError(`cannot hash ${file.path}: hashing worker exited with code ${code}`))
      settled = true
    })
  })
}

/** The trailer's 32 bytes as hex, or '' when the file is too short to have one. */
export function readTrailer(file: SnapshotFile): string {
  if (file.size < TRAILER_SIZE) return ''
  const buf = new Uint8Array(TRAILER_SIZE)
  if (file.read(buf, 0, TRAILER_SIZE, file.size - TRAILER_SIZE) < TRAILER_SIZE) return ''
  return Buffer.from(buf).toString('hex')
}
