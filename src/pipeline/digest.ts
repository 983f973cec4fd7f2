import { createHash, type Hash } from 'node:crypto'
import { Transform, type TransformCallback } from 'node:stream'

/** etcd appends sha256(data) to a snapshot: the last 32 bytes of the file. */
export const TRAILER_SIZE = 32

/**
 * Passes bytes through unchanged while hashing all but the last 32 of them, which it keeps aside: at the end it knows
 * the snapshot's data hash and its trailer without a second read of the file.
 */
export class SnapshotDigest extends Transform {
  private readonly hash: Hash = createHash('sha256')
  private tail: Buffer = Buffer.alloc(0)
  private total = 0

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.total += chunk.length
    if (chunk.length >= TRAILER_SIZE) {
      if (this.tail.length) this.hash.update(this.tail)
      this.hash.update(chunk.subarray(0, chunk.length - TRAILER_SIZE))
      this.tail = Buffer.from(chunk.subarray(chunk.length - TRAILER_SIZE))
    } else {
      const joined = Buffer.concat([this.tail, chunk])
      const keep = Math.min(TRAILER_SIZE, joined.length)
      this.hash.update(joined.subarray(0, joined.length - keep))
      this.tail = joined.subarray(joined.length - keep)
    }
    callback(null, chunk)
  }

  /** Call after the stream has ended. */
  result(): { size: number; dataSha256: string; trailerSha256: string } {
    return {
      size: this.total,
      dataSha256: this.hash.digest('hex'),
      trailerSha256: this.tail.length === TRAILER_SIZE ? this.tail.toString('hex') : ''
    }
  }
}

/** Passes bytes through, counting and hashing them: the sha256 and size of the file we write. */
export class StreamDigest extends Transform {
  private readonly hash: Hash = createHash('sha256')
  private total = 0

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.total += chunk.length
    this.hash.update(chunk)
    callback(null, chunk)
  }

  result(): { size: number; sha256: string } {
    return { size: this.total, sha256: this.hash.digest('hex') }
  }
}
