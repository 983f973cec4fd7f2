/**
 * The age payload: a 16-byte nonce, then STREAM — ChaCha20-Poly1305 over 64 KiB chunks with nonce
 * = 11-byte big-endian chunk counter || last-chunk flag, under a key derived from the file key.
 *
 * Both transforms hold back at most one chunk (the final chunk is sealed differently, so a chunk can
 * only be processed once it is known whether more data follows). Whole chunks inside a large input
 * buffer are processed in place; only the tail of each input buffer is copied into an owned buffer,
 * because callers may reuse a buffer once its write has completed.
 */

import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { Transform, type TransformCallback } from 'node:stream'
import { AgeError, errorMessage } from '../errors.js'
import { HeaderReader, verifyHeaderMac, type Stanza } from './header.js'
import { hkdfSha256 } from './primitives.js'

export const PLAINTEXT_CHUNK_SIZE = 64 * 1024
const TAG_LENGTH = 16
export const CIPHERTEXT_CHUNK_SIZE = PLAINTEXT_CHUNK_SIZE + TAG_LENGTH
const PAYLOAD_NONCE_LENGTH = 16
/** How many appended bytes the decryptor looks for when the final chunk fails, to name the problem. */
const MAX_TRAILING_BYTES_PROBED = 64

function asError(e: unknown): Error {
  return e instanceof Error ? e : new AgeError(errorMessage(e))
}

/** ChaCha20-Poly1305 for one chunk at a time under the payload key. */
class ChunkCipher {
  readonly #key: Buffer
  readonly #nonce = Buffer.alloc(12)

  constructor(fileKey: Uint8Array, payloadNonce: Uint8Array) {
    this.#key = hkdfSha256(fileKey, payloadNonce, 'payload')
  }

  #setNonce(counter: number, final: boolean): Buffer {
    // Bytes 0-4 of the 11-byte counter stay zero: 2^48 chunks is 16 EiB.
    this.#nonce.writeUIntBE(counter, 5, 6)
    this.#nonce[11] = final ? 1 : 0
    return this.#nonce
  }

  /**
   * The ciphertext chunk as two buffers, the encrypted data and its tag, which follow each other in the file. Joining
   * them would cost a fresh 64 KiB buffer and a copy per chunk: a quarter of encryption's time (bench-age.ts).
   */
  seal(plaintext: Buffer, counter: number, final: boolean): [Buffer, Buffer] {
    const cipher = createCipheriv('chacha20-poly1305', this.#key, this.#setNonce(counter, final), {
      authTagLength: TAG_LENGTH
    })
    const sealed = cipher.update(plaintext)
    cipher.final()
    return [sealed, cipher.getAuthTag()]
  }

  /** The plaintext, or `undefined` when the chunk does not authenticate with this counter and flag. */
  open(ciphertext: Buffer, counter: number, final: boolean): Buffer | undefined {
    const decipher = createDecipheriv('chacha20-poly1305', this.#key, this.#setNonce(counter, final), {
      authTagLength: TAG_LENGTH
    })
    const split = ciphertext.length - TAG_LENGTH
    decipher.setAuthTag(ciphertext.subarray(split))
    const plaintext = decipher.update(ciphertext.subarray(0, split))
    try {
      decipher.final()
    } catch {
      return undefined
    }
    return plaintext
  }
}

/** What the encryptor writes before the payload: the encoded header, and the file key it wraps. */
export interface EncryptionStart {
  readonly header: Buffer
  readonly fileKey: Buffer
}

/** Plaintext in, a complete age file out. */
export class AgeEncryptStream extends Transform {
  #start: EncryptionStart | Promise<EncryptionStart> | undefined
  #cipher: ChunkCipher | undefined
  readonly #held = Buffer.allocUnsafe(PLAINTEXT_CHUNK_SIZE)
  #heldLength = 0
  #counter = 0

  constructor(start: EncryptionStart | Promise<EncryptionStart>) {
    super()
    // A passphrase header is still being derived; failures are reported on the first write or end.
    if (start instanceof Promise) start.catch(() => undefined)
    this.#start = start
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#afterBegin(() => this.#consume(chunk), callback)
  }

  override _flush(callback: TransformCallback): void {
    // Empty input still gets one (empty) final chunk, as the spec requires.
    this.#afterBegin(() => {
      this.#pushSealed(this.#held.subarray(0, this.#heldLength), true)
    }, callback)
  }

  /** Runs `step` once the header is out: synchronously on the hot path, after the scrypt wait otherwise. */
  #afterBegin(step: () => void, callback: TransformCallback): void {
    if (this.#cipher === undefined) {
      this.#begin()
        .then(step)
        .then(
          () => callback(),
          (e: unknown) => callback(asError(e))
        )
      return
    }
    try {
      step()
    } catch (e: unknown) {
      callback(asError(e))
      return
    }
    callback()
  }

  async #begin(): Promise<void> {
    if (this.#cipher !== undefined) return
    const start = await this.#start!
    this.#start = undefined
    const payloadNonce = randomBytes(PAYLOAD_NONCE_LENGTH)
    this.#cipher = new ChunkCipher(start.fileKey, payloadNonce)
    this.push(Buffer.concat([start.header, payloadNonce]))
  }

  #consume(chunk: Buffer): void {
    let offset = 0
    if (this.#heldLength > 0) {
      offset = Math.min(PLAINTEXT_CHUNK_SIZE - this.#heldLength, chunk.length)
      chunk.copy(this.#held, this.#heldLength, 0, offset)
      this.#heldLength += offset
      // A full held chunk is sealed only once more data proves it is not the final one.
      if (offset === chunk.length) return
      this.#pushSealed(this.#held, false)
      this.#heldLength = 0
    }
    while (chunk.length - offset > PLAINTEXT_CHUNK_SIZE) {
      this.#pushSealed(chunk.subarray(offset, offset + PLAINTEXT_CHUNK_SIZE), false)
      offset += PLAINTEXT_CHUNK_SIZE
    }
    if (offset < chunk.length) {
      chunk.copy(this.#held, 0, offset)
      this.#heldLength = chunk.length - offset
    }
  }

  /**
   * Seals the next chunk and pushes its two parts. A sink should buffer more than a chunk (the backup file's takes
   * 1 MiB, src/pipeline) so that they reach the disk together, not as a write for each 16-byte tag.
   */
  #pushSealed(plaintext: Buffer, final: boolean): void {
    const [sealed, tag] = this.#cipher!.seal(plaintext, this.#counter++, final)
    this.push(sealed)
    this.push(tag)
  }
}

/**
 * Finds the file key for a parsed header (trying identities or a passphrase); throws AgeError
 * when none matches or a stanza it understands is malformed.
 */
export type FileKeyFinder = (stanzas: readonly Stanza[]) => Buffer | Promise<Buffer>

/** An age file in, plaintext out; every chunk is authenticated before any of it is pushed. */
export class AgeDecryptStream extends Transform {
  readonly #findFileKey: FileKeyFinder
  #headerReader: HeaderReader | undefined = new HeaderReader()
  #fileKey: Buffer | undefined
  readonly #payloadNonce = Buffer.allocUnsafe(PAYLOAD_NONCE_LENGTH)
  #payloadNonceLength = 0
  #cipher: ChunkCipher | undefined
  readonly #held = Buffer.allocUnsafe(CIPHERTEXT_CHUNK_SIZE)
  #heldLength = 0
  #counter = 0

  constructor(findFileKey: FileKeyFinder) {
    super()
    this.#findFileKey = findFileKey
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    let parsed: ReturnType<HeaderReader['push']> = undefined
    try {
      if (this.#headerReader === undefined) this.#consume(chunk)
      else parsed = this.#headerReader.push(chunk)
    } catch (e: unknown) {
      callback(asError(e))
      return
    }
    if (parsed === undefined) {
      callback()
      return
    }
    const { header, rest } = parsed
    this.#headerReader = undefined
    // Unwrapping may run scrypt; no more input arrives until the callback.
    Promise.resolve()
      .then(() => this.#findFileKey(header.stanzas))
      .then(fileKey => {
        verifyHeaderMac(header, fileKey)
        this.#fileKey = fileKey
        this.#consume(rest)
      })
      .then(
        () => callback(),
        (e: unknown) => callback(asError(e))
      )
  }

  override _flush(callback: TransformCallback): void {
    try {
      this.#finish()
    } catch (e: unknown) {
      callback(asError(e))
      return
    }
    callback()
  }

  #consume(data: Buffer): void {
    let offset = 0
    if (this.#cipher === undefined) {
      offset = Math.min(PAYLOAD_NONCE_LENGTH - this.#payloadNonceLength, data.length)
      data.copy(this.#payloadNonce, this.#payloadNonceLength, 0, offset)
      this.#payloadNonceLength += offset
      if (this.#payloadNonceLength < PAYLOAD_NONCE_LENGTH) return
      this.#cipher = new ChunkCipher(this.#fileKey!, this.#payloadNonce)
    }
    if (this.#heldLength > 0) {
      const take = Math.min(CIPHERTEXT_CHUNK_SIZE - this.#heldLength, data.length - offset)
      data.copy(this.#held, this.#heldLength, offset, offset + take)
      this.#heldLength += take
      offset += take
      if (offset === data.length) return
      this.#openInnerChunk(this.#held)
      this.#heldLength = 0
    }
    while (data.length - offset > CIPHERTEXT_CHUNK_SIZE) {
      this.#openInnerChunk(data.subarray(offset, offset + CIPHERTEXT_CHUNK_SIZE))
      offset += CIPHERTEXT_CHUNK_SIZE
    }
    if (offset < data.length) {
      data.copy(this.#held, 0, offset)
      this.#heldLength = data.length - offset
    }
  }

  /** Opens a full chunk that more data follows, so it must not be the final one. */
  #openInnerChunk(ciphertext: Buffer): void {
    const cipher = this.#cipher!
    const number = this.#counter + 1
    const plaintext = cipher.open(ciphertext, this.#counter, false)
    if (plaintext === undefined) {
      const asFinal = cipher.open(ciphertext, this.#counter, true)
      if (asFinal === undefined) throw new AgeError(`file was tampered with (chunk ${number} failed authentication)`)
      // Authentic data may be released; what follows it is not part of the file.
      this.push(asFinal)
      throw new AgeError(
        `file has trailing data after its final chunk (chunk ${number}); it was tampered with or concatenated`
      )
    }
    this.#counter++
    this.push(plaintext)
  }

  #finish(): void {
    if (this.#headerReader !== undefined) throw this.#headerReader.incompleteError()
    if (this.#cipher === undefined) {
      throw new AgeError('age header is incomplete: the file ends before the payload nonce (file is truncated)')
    }
    const cipher = this.#cipher
    const number = this.#counter + 1
    const ciphertext = this.#held.subarray(0, this.#heldLength)
    if (ciphertext.length === 0) throw new AgeError('file is truncated: the payload has no chunks')
    if (ciphertext.length < TAG_LENGTH)
      throw new AgeError(`file is truncated: chunk ${number} is shorter than its authentication tag`)
    const plaintext = cipher.open(ciphertext, this.#counter, true)
    if (plaintext === undefined) {
      const asInner =
        ciphertext.length === CIPHERTEXT_CHUNK_SIZE ? cipher.open(ciphertext, this.#counter, false) : undefined
      if (asInner === undefined) {
        const trailing = this.#trailingByteCount(ciphertext)
        if (trailing > 0) {
          throw new AgeError(
            `file has ${trailing} byte${trailing === 1 ? '' : 's'} of trailing data after its final chunk (chunk ${number}); it was tampered with or concatenated`
          )
        }
        throw new AgeError(`file is truncated or was tampered with (chunk ${number} failed authentication)`)
      }
      this.push(asInner)
      throw new AgeError(`file is truncated: it ends after chunk ${number} without a final chunk`)
    }
    if (plaintext.length === 0 && this.#counter > 0) {
      throw new AgeError(
        `file is malformed: its final chunk (chunk ${number}) is empty, which only an empty file may have`
      )
    }
    this.push(plaintext)
  }

  /**
   * Only for the error message: whether the last chunk authenticates once a few bytes are cut off
   * its end, i.e. something (say, a newline) was appended to an intact file. Nothing is released.
   */
  #trailingByteCount(ciphertext: Buffer): number {
    const limit = Math.min(MAX_TRAILING_BYTES_PROBED, ciphertext.length - TAG_LENGTH)
    for (let cut = 1; cut <= limit; cut++) {
      if (this.#cipher!.open(ciphertext.subarray(0, ciphertext.length - cut), this.#counter, true) !== undefined)
        return cut
    }
    return 0
  }
}
