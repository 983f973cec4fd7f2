import { Transform, type TransformCallback } from 'node:stream'
import { VerificationError } from '../errors.js'
import { isValidPageSize, MAGIC, parseMeta } from '../verify/bolt.js'
import { PageBuffer } from '../verify/reader.js'
import { TRAILER_SIZE } from './digest.js'

/** bbolt's meta page: a 16-byte page header, then the magic, the version and the page size. */
const MAGIC_OFFSET = 16
const PAGE_SIZE_OFFSET = 24
/** The meta fields end here: page header, 64 bytes of meta. */
const META_END = 80
/** bbolt's page sizes are at most 64 KiB, so both meta pages are in the first 128 KiB. */
const HEAD_LIMIT = 2 * 65536
/**
 * bbolt's default AllocSize: once a member's db file is past it, bbolt grows the file to (high-water mark + 1) pages
 * plus 16 MiB at a time (ftruncate, so zeros), which a copy of member/snap/db keeps. `snapshot save` writes none.
 */
const BOLT_ALLOC_SIZE = 16 << 20

/**
 * Passes the plaintext snapshot through and stops it the moment it is not what it says it is. A snapshot declares its
 * own size in its meta pages: high-water mark × page size, plus etcd's 32-byte sha256 trailer when it comes from
 * `snapshot save` (a copy of a member's db file has none). So the bytes a decompressor may produce are known after
 * the first two pages, and a bomb (a few MB of zstd or gzip that expand to gigabytes) is refused there instead of
 * filling the disk. A first page that is not bbolt is refused at once; a recorded size (the manifest's) bounds the
 * output from the first byte.
 */
export class SnapshotSizeGuard extends Transform {
  private head: Buffer[] = []
  private decided = false
  private limit: number | undefined
  private why = ''
  private total = 0
  /** Where the pages the meta pages declare end (high-water mark × page size), once decided. */
  private tailStart = Number.MAX_SAFE_INTEGER
  /** Every byte from tailStart on has been zero so far (a raw member database's preallocation, not a trailer). */
  private tailZero = true
  private pageSize = 0
  /** With no smaller manifest bound: how far a zero tail (a copy of member/snap/db) may reach, and why. */
  private zeroTailLimit: number | undefined
  private zeroTailWhy = ''

  /**
   * @param name the backup file's name, for messages
   * @param recordedSize the snapshot's size as the backup's manifest records it, trailer included
   */
  constructor(
    private readonly name: string,
    recordedSize?: number
  ) {
    super({ highWaterMark: 1 << 20 })
    if (recordedSize !== undefined) {
      this.limit = recordedSize
      this.why = `the ${recordedSize} bytes its manifest records`
    }
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const start = this.total
    this.total += chunk.length
    try {
      if (!this.decided) this.inspect(chunk)
      else this.scanTail(chunk, start)
      if (this.limit !== undefined && this.total > this.limit) {
        if (this.zeroTailLimit === undefined || !this.tailZero) throw this.tooLarge()
        if (this.total > this.zeroTailLimit) throw this.tooLarge(this.zeroTailWhy)
      }
    } catch (e: unknown) {
      callback(e as Error)
      return
    }
    callback(null, chunk)
  }

  override _flush(callback: TransformCallback): void {
    if (!this.decided) {
      const what = this.total === 0 ? 'it is empty' : `it ends after ${this.total} bytes`
      callback(this.refuse(`${what}, before bbolt's two meta pages are complete (truncated)`))
      return
    }
    // Past the declared size only a raw database's zero preallocation may go, and bbolt grows files by whole pages.
    if (this.limit !== undefined && this.total > this.limit && this.total % this.pageSize !== 0) {
      callback(this.tooLarge())
      return
    }
    callback()
  }

  /** Collects the first two pages, then derives the bound from them; clears `head` once decided. */
  private inspect(chunk: Buffer): void {
    this.head.push(chunk)
    const head = this.head.length === 1 ? chunk : Buffer.concat(this.head)
    this.head = [head]
    if (head.length >= MAGIC_OFFSET + 4 && head.readUInt32LE(MAGIC_OFFSET) !== MAGIC) {
      throw this.refuse(
        `its first page is not bbolt (magic 0x${head.readUInt32LE(MAGIC_OFFSET).toString(16).padStart(8, '0')} at byte ${MAGIC_OFFSET}, expected 0xed0cdaed)`
      )
    }
    if (head.length < PAGE_SIZE_OFFSET + 4) return
    const declared = head.readUInt32LE(PAGE_SIZE_OFFSET)
    if (!isValidPageSize(declared)) {
      throw this.refuse(`its first page declares page size ${declared}, which bbolt never writes`)
    }
    if (head.length < declared + META_END && head.length < HEAD_LIMIT) return
    this.decide(head, declared)
    this.scanTail(head, 0)
    this.head = []
    this.decided = true
  }

  /** bbolt opens with the valid meta of the higher txid; either may be current, so the larger size is the bound. */
  private decide(head: Buffer, pageSize: number): void {
    const buf = new PageBuffer(head.length)
    buf.bytes.set(head)
    const metas = [parseMeta(buf, 0, 0, pageSize), parseMeta(buf, pageSize, 1, pageSize)]
    const valid = metas.filter(m => m.problems.length === 0)
    if (valid.length === 0) throw this.refuse(`neither meta page is intact: ${metas[0]!.problems[0]}`)
    const hwm = Math.max(...valid.map(m => m.hwm))
    const size = hwm * pageSize + TRAILER_SIZE
    this.pageSize = pageSize
    this.tailStart = hwm * pageSize
    if (this.limit === undefined || size < this.limit) {
      this.limit = size
      this.why = `the ${size} bytes its first page declares (high-water mark ${hwm} × page size ${pageSize} + ${TRAILER_SIZE}-byte trailer)`
      // A copy of member/snap/db has no trailer but may end in bbolt's zero preallocation; nothing else may follow.
      this.zeroTailLimit = (hwm + 1) * pageSize + BOLT_ALLOC_SIZE
      this.zeroTailWhy = `the ${this.zeroTailLimit} bytes a member's database file with its first page may hold (high-water mark ${hwm} + 1 pages × page size ${pageSize} + bbolt's ${BOLT_ALLOC_SIZE}-byte zero preallocation)`
    }
  }

  /** Notes whether any byte at or after tailStart in `chunk` (which starts at output offset `start`) is not zero. */
  private scanTail(chunk: Buffer, start: number): void {
    if (!this.tailZero || start + chunk.length <= this.tailStart) return
    for (let i = Math.max(0, this.tailStart - start); i < chunk.length; i++) {
      if (chunk[i] !== 0) {
        this.tailZero = false
        return
      }
    }
  }

  private tooLarge(why = this.why): VerificationError {
    return new VerificationError(
      `${this.name}: the unpacked snapshot grows past ${why}; stopped and removed (a decompression bomb or a damaged backup); use another backup`
    )
  }

  private refuse(why: string): VerificationError {
    return new VerificationError(`${this.name} does not hold an etcd snapshot: ${why}; use another backup`)
  }
}
