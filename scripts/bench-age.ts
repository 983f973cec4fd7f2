/**
 * Throughput of src/age: encrypts 1 GiB from memory through createEncryptStream into a discarding
 * sink, with input buffers of 64 KiB (what fs/zlib streams hand over) and 1 MiB, then decrypts.
 *
 *   npx tsx scripts/bench-age.ts [GiB]
 */

import { createCipheriv, randomBytes } from 'node:crypto'
import { Readable, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createDecryptStream, createEncryptStream, X25519Identity } from '../src/age/index.js'

// A throwaway key for this run only.
const identity = new X25519Identity(randomBytes(32))
const recipients = [identity.recipient]

const totalBytes = Math.round(Number(process.argv[2] ?? '1') * 2 ** 30)

function source(bufferSize: number, total: number, fill: Buffer): Readable {
  let sent = 0
  return new Readable({
    highWaterMark: 4 * bufferSize,
    read() {
      // Fresh views each time; the data is in memory, as the benchmark requires.
      const n = Math.min(bufferSize, total - sent)
      if (n <= 0) this.push(null)
      else {
        sent += n
        this.push(fill.subarray(0, n))
      }
    }
  })
}

function sink(onChunk?: (chunk: Buffer) => void): Writable {
  return new Writable({
    highWaterMark: 1 << 20,
    write(chunk: Buffer, _encoding, callback) {
      onChunk?.(chunk)
      callback()
    },
    writev(chunks, callback) {
      for (const c of chunks) onChunk?.(c.chunk as Buffer)
      callback()
    }
  })
}

function report(label: string, bytes: number, start: bigint): void {
  const seconds = Number(process.hrtime.bigint() - start) / 1e9
  console.log(`${label.padEnd(40)} ${(bytes / seconds / 1e6).toFixed(0).padStart(6)} MB/s  (${seconds.toFixed(2)} s)`)
}

const fill = randomBytes(1 << 20)

// Ceiling for comparison: bare node:crypto ChaCha20-Poly1305, one cipher per 64 KiB chunk, no streams.
{
  const key = randomBytes(32)
  const nonce = Buffer.alloc(12)
  const start = process.hrtime.bigint()
  for (let done = 0, i = 0; done < totalBytes; done += 64 * 1024, i++) {
    nonce.writeUInt32BE(i, 7)
    const cipher = createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 })
    cipher.update(fill.subarray((i % 16) * 64 * 1024, ((i % 16) + 1) * 64 * 1024))
    cipher.final()
    cipher.getAuthTag()
  }
  report('baseline: raw chacha20-poly1305 (no age)', totalBytes, start)
}
for (const bufferSize of [64 * 1024, 1 << 20]) {
  const start = process.hrtime.bigint()
  await pipeline(source(bufferSize, totalBytes, fill), createEncryptStream({ recipients }), sink())
  report(`encrypt ${totalBytes / 2 ** 30} GiB, ${bufferSize / 1024} KiB writes`, totalBytes, start)
}

// Decrypt: encrypt once into memory-sized pieces kept in a list, then replay them.
const ciphertext: Buffer[] = []
const decryptBytes = Math.min(totalBytes, 2 ** 30)
await pipeline(
  source(1 << 20, decryptBytes, fill),
  createEncryptStream({ recipients }),
  sink(c => ciphertext.push(c))
)
{
  const start = process.hrtime.bigint()
  await pipeline(
    Readable.from(ciphertext, { objectMode: false }),
    createDecryptStream({ identities: [identity] }),
    sink()
  )
  report(`decrypt ${decryptBytes / 2 ** 30} GiB, age chunk-sized writes`, decryptBytes, start)
}
