/**
 * The STREAM payload by itself: chunking at 64 KiB with the last chunk sealed apart, the payload nonce, and a
 * decryptor that takes the file key from whatever finder it is given.
 */
import { randomBytes } from 'node:crypto'
import { Readable } from 'node:stream'
import { buffer } from 'node:stream/consumers'
import { describe, expect, it } from '@jest/globals'
import { AgeError } from '../../../src/errors.js'
import { encodeHeader } from '../../../src/age/header.js'
import {
  AgeDecryptStream,
  AgeEncryptStream,
  CIPHERTEXT_CHUNK_SIZE,
  PLAINTEXT_CHUNK_SIZE,
  type FileKeyFinder
} from '../../../src/age/stream.js'

const fileKey = randomBytes(16)
const header = encodeHeader([{ type: 'test', args: ['stanza'], body: randomBytes(32) }], fileKey)

/** Runs `data` through the stream in pieces of `piece` bytes and collects the output. */
function run(stream: AgeEncryptStream | AgeDecryptStream, data: Buffer, piece = 1 << 20): Promise<Buffer> {
  const pieces: Buffer[] = []
  for (let at = 0; at < data.length; at += piece) pieces.push(data.subarray(at, at + piece))
  return buffer(Readable.from(pieces).pipe(stream))
}

const encrypt = (data: Buffer, piece?: number): Promise<Buffer> =>
  run(new AgeEncryptStream({ header, fileKey }), data, piece)
const decrypt = (file: Buffer, finder: FileKeyFinder = () => fileKey, piece?: number): Promise<Buffer> =>
  run(new AgeDecryptStream(finder), file, piece)

describe('AgeEncryptStream', () => {
  it('writes the header, a 16-byte nonce, and one 16-byte tag per 64 KiB chunk (an empty input has one chunk)', async () => {
    for (const size of [0, 1, PLAINTEXT_CHUNK_SIZE, PLAINTEXT_CHUNK_SIZE + 1, 3 * PLAINTEXT_CHUNK_SIZE]) {
      const file = await encrypt(randomBytes(size))
      expect(file.subarray(0, header.length).equals(header)).toBe(true)
      const chunks = Math.max(1, Math.ceil(size / PLAINTEXT_CHUNK_SIZE))
      expect(file.length).toBe(header.length + 16 + size + 16 * chunks)
    }
  })

  it('uses a fresh payload nonce each time', async () => {
    const data = randomBytes(100)
    const [a, b] = await Promise.all([encrypt(data), encrypt(data)])
    expect(a.subarray(header.length, header.length + 16).equals(b.subarray(header.length, header.length + 16))).toBe(
      false
    )
  })

  it('waits for a header that is still being made', async () => {
    const data = randomBytes(5000)
    const later = new Promise<{ header: Buffer; fileKey: Buffer }>(resolve =>
      setTimeout(() => resolve({ header, fileKey }), 50)
    )
    const file = await run(new AgeEncryptStream(later), data)
    expect((await decrypt(file)).equals(data)).toBe(true)
  })
})

describe('AgeDecryptStream', () => {
  it('round-trips at every chunk boundary, however the input is cut', async () => {
    for (const size of [0, 1, PLAINTEXT_CHUNK_SIZE - 1, PLAINTEXT_CHUNK_SIZE, 2 * PLAINTEXT_CHUNK_SIZE + 7]) {
      const data = randomBytes(size)
      const file = await encrypt(data, 1000)
      expect((await decrypt(file)).equals(data)).toBe(true)
      expect((await decrypt(file, () => fileKey, CIPHERTEXT_CHUNK_SIZE - 3)).equals(data)).toBe(true)
    }
  })

  it('fails with the finder error when no key fits, and on a wrong key at the header MAC', async () => {
    const file = await encrypt(randomBytes(10))
    await expect(
      decrypt(file, () => {
        throw new AgeError('no identity matched any of the recipients')
      })
    ).rejects.toThrow('no identity matched any of the recipients')
    await expect(decrypt(file, () => randomBytes(16))).rejects.toThrow(/header MAC check failed/)
  })

  it('refuses a payload chunk that does not authenticate, and a file that ends inside it', async () => {
    const file = await encrypt(randomBytes(2 * PLAINTEXT_CHUNK_SIZE))
    const flipped = Buffer.from(file)
    flipped[header.length + 16 + 10]! ^= 1
    await expect(decrypt(flipped)).rejects.toThrow(AgeError)
    await expect(decrypt(file.subarray(0, file.length - 1))).rejects.toThrow(AgeError)
    await expect(decrypt(file.subarray(0, header.length + 16 + CIPHERTEXT_CHUNK_SIZE))).rejects.toThrow(AgeError)
  })
})
