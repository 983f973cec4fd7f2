/**
 * The frame boundaries of a zstd stream, found from its headers alone (RFC 8878 §3.1) as the bytes pass. node's zstd
 * decompressor stops at the first bytes after a frame that are not another frame and reports nothing, so a backup
 * with data appended to it would unpack as if whole; the gzip decompressor does the same with zero bytes. This walk
 * tells "the stream ends between frames" from "something follows the last frame" and from "it ends inside a frame".
 */

const ZSTD_MAGIC = 0xfd2fb528
/** Skippable frames: magic 0x184D2A50..0x184D2A5F, a 4-byte length, that many bytes. */
const SKIPPABLE_MASK = 0xfffffff0
const SKIPPABLE_MAGIC = 0x184d2a50
const FCS_SIZES = [0, 2, 4, 8]
const DICT_ID_SIZES = [0, 1, 2, 4]

/** What `incomplete()` says of a stream that ends inside a frame. */
export const ENDS_INSIDE_FRAME = 'it ends in the middle of the compressed stream (truncated)'

type State = 'magic' | 'descriptor' | 'header' | 'block' | 'body' | 'checksum' | 'skippable-size' | 'skip'

export class ZstdFrameWalker {
  private state: State = 'magic'
  /** Bytes of a fixed-size field (magic, block header, skippable size) gathered so far. */
  private readonly field = Buffer.alloc(4)
  private fieldFilled = 0
  /** Bytes to pass over in the 'header', 'body', 'checksum' and 'skip' states. */
  private left = 0
  private lastBlock = false
  private checksum = false
  private offset = 0

  /** Follows `chunk`; throws a one-line reason when bytes that are not zstd follow a frame. */
  feed(chunk: Buffer): void {
    let at = 0
    while (at < chunk.length) {
      if (this.state === 'header' || this.state === 'body' || this.state === 'checksum' || this.state === 'skip') {
        const n = Math.min(this.left, chunk.length - at)
        at += n
        this.left -= n
        if (this.left === 0) this.next()
        continue
      }
      const size = this.state === 'descriptor' ? 1 : this.state === 'block' ? 3 : 4
      const n = chunk.copy(this.field, this.fieldFilled, at, at + size - this.fieldFilled)
      at += n
      this.fieldFilled += n
      if (this.fieldFilled === size) {
        this.fieldFilled = 0
        this.fieldDone(this.offset + at - size)
      }
    }
    this.offset += chunk.length
  }

  /** Why the stream cannot be whole, or undefined when it ended right after a frame. */
  incomplete(): string | undefined {
    if (this.state === 'magic' && this.fieldFilled === 0) return undefined
    if (this.state === 'magic') return `${this.fieldFilled} stray bytes follow the last zstd frame`
    return ENDS_INSIDE_FRAME
  }

  private fieldDone(at: number): void {
    switch (this.state) {
      case 'magic': {
        const magic = this.field.readUInt32LE(0)
        if (magic === ZSTD_MAGIC) this.state = 'descriptor'
        else if ((magic & SKIPPABLE_MASK) >>> 0 === SKIPPABLE_MAGIC) this.state = 'skippable-size'
        else throw new Error(`data that is not zstd follows the last zstd frame (at byte ${at})`)
        return
      }
      case 'descriptor': {
        const d = this.field[0]!
        if (d & 0x08) throw new Error(`a zstd frame header sets a reserved bit (byte ${at})`)
        const single = (d >> 5) & 1
        const fcs = FCS_SIZES[d >> 6]! || single
        this.checksum = ((d >> 2) & 1) === 1
        this.left = (single ? 0 : 1) + DICT_ID_SIZES[d & 3]! + fcs
        this.state = 'header'
        if (this.left === 0) this.next()
        return
      }
      case 'block': {
        const header = this.field.readUIntLE(0, 3)
        this.lastBlock = (header & 1) === 1
        const type = (header >> 1) & 3
        if (type === 3) throw new Error(`a zstd block has the reserved type 3 (byte ${at})`)
        this.left = type === 1 ? 1 : header >>> 3
        this.state = 'body'
        if (this.left === 0) this.next()
        return
      }
      case 'skippable-size':
        this.left = this.field.readUInt32LE(0)
        this.state = 'skip'
        if (this.left === 0) this.next()
        return
      default:
        return
    }
  }

  /** The state after a variable-length part has been passed over. */
  private next(): void {
    if (this.state === 'header') {
      this.state = 'block'
    } else if (this.state === 'body' && !this.lastBlock) {
      this.state = 'block'
    } else if (this.state === 'body' && this.checksum) {
      this.state = 'checksum'
      this.left = 4
    } else {
      this.state = 'magic'
    }
  }
}
