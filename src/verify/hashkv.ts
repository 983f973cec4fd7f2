/**
 * etcd's MVCC HashByRev (mvcc/kvstore.go in 3.4, server/storage/mvcc/hash.go in 3.5+), computed from a snapshot:
 *
 *   h = crc32c("key"); for each (k, v) in the key bucket, in order:
 *     skip if k.main > rev
 *     skip if k.main <= compactRev and keep is non-empty and k is not in keep
 *     h.write(k); h.write(v)
 *
 * where keep = kvindex.Keep(rev): for each user key, its latest revision <= rev, unless that is a tombstone (what
 * compacting at rev would keep). The member's compactRev is its scheduled compaction (updateCompactRev sets it
 * before the backend deletes anything). Since etcd 3.4.34, 3.5.16 and 3.6 the hasher also skips, keep or no keep,
 * a tombstone whose main revision equals compactRev: those releases' compaction keeps it in the backend (older ones
 * removed it), and the hash must stay what older releases compute.
 *
 * Whether an entry at or below compactRev is kept is known only once every later revision has been seen, so this
 * records the CRC register before each such entry (8 bytes per entry) and composes the final CRC from runs of kept
 * entries with crc32cShift: one shift per run, no second read of the file. Entries above compactRev are always
 * hashed and form one run.
 */
import { crc32cFinish, crc32cShift, crc32cUpdateBytes, CRC32C_INIT } from './crc32c.js'

const CHUNK_BITS = 16
const CHUNK = 1 << CHUNK_BITS
/** Whether etcd hashes an entry at or below the compact revision. */
const KEPT = 0
/** Not in keep: skipped unless keep is empty (etcd's `len(keep) > 0` guard). */
const DROPPED_BY_KEEP = 1
/** A tombstone at exactly the compact revision: skipped even with an empty keep. */
const ALWAYS_DROPPED = 2

export interface HashKvResult {
  /** etcd's HashKV hash at `revision`. */
  hash: number
  /** The revision hashed. */
  revision: number
  /** The compact revision used (-1: never compacted), as `endpoint hashkv` reports it. */
  compactRevision: number
}

export const KEY_BUCKET_NAME = new TextEncoder().encode('key')
/** HashKV's register after the bucket name, where its entries begin. */
export const KEY_BUCKET_NAME_REGISTER = crc32cUpdateBytes(CRC32C_INIT, KEY_BUCKET_NAME)

export class HashKvRecorder {
  private readonly regs: Int32Array[] = []
  private readonly lens: Uint32Array[] = []
  /** Per entry: KEPT, DROPPED_BY_KEEP or ALWAYS_DROPPED. */
  private readonly dropped: Uint8Array[] = []
  /** Entries at or below the compact revision recorded so far. */
  private count = 0
  /** Entries recorded as ALWAYS_DROPPED (tombstones at the compact revision). */
  private alwaysDropped = 0
  private leEndRegister = 0
  private gtStartRegister = 0
  private gtLength = 0
  private endRegister = 0
  private totalLength = 0
  private startRegister = 0

  /**
   * @param compactRevision the member's compact revision (-1 when never compacted)
   * @param revision the revision to hash; entries above it are ignored (Number.MAX_SAFE_INTEGER: all of them)
   */
  constructor(
    readonly compactRevision: number,
    readonly revision: number
  ) {}

  /** The status stream's register right after the bucket name "key": where the key bucket's entries begin. */
  begin(register: number): void {
    this.startRegister = register
    this.leEndRegister = register
    this.gtStartRegister = register
    this.endRegister = register
  }

  /**
   * Record an entry (its bytes ran from register `before` to `after` in the status stream). `tombstone`: etcd never
   * keeps it at or below the compact revision, and skips it even with an empty keep at exactly the compact revision.
   * Returns the entry's ordinal when it lies at or below the compact revision (callers may later `drop` it), else -1.
   */
  add(main: number, before: number, after: number, length: number, tombstone: boolean): number {
    if (main > this.revision) return -1
    this.endRegister = after
    this.totalLength += length
    if (main > this.compactRevision) {
      if (this.gtLength === 0) this.gtStartRegister = before
      this.gtLength += length
      return -1
    }
    const ord = this.count++
    const c = ord >>> CHUNK_BITS
    if (c === this.regs.length) {
      this.regs.push(new Int32Array(CHUNK))
      this.lens.push(new Uint32Array(CHUNK))
      this.dropped.push(new Uint8Array(CHUNK))
    }
    const i = ord & (CHUNK - 1)
    this.regs[c]![i] = before
    this.lens[c]![i] = length
    const always = tombstone && main === this.compactRevision
    if (always) this.alwaysDropped++
    this.dropped[c]![i] = always ? ALWAYS_DROPPED : tombstone ? DROPPED_BY_KEEP : KEPT
    this.leEndRegister = after
    return ord
  }

  /** The entry is not in keep (a later revision of its key exists at or below `revision`). */
  drop(ordinal: number): void {
    const chunk = this.dropped[ordinal >>> CHUNK_BITS]!
    const i = ordinal & (CHUNK - 1)
    if (chunk[i] === KEPT) chunk[i] = DROPPED_BY_KEEP
  }

  /** Bytes of memory held (for reporting). */
  get memoryBytes(): number {
    return this.regs.length * CHUNK * 9
  }

  /**
   * The hash. `keepIsEmpty`: no user key is live at `revision`, in which case etcd filters nothing (its
   * `len(keep) > 0` guard) but tombstones at the compact revision. `initial`: the HashKV register before the recorded entries (default: right after the
   * bucket name; in split mode, after the compacted survivors).
   */
  finish(keepIsEmpty: boolean, revision = this.revision, initial = KEY_BUCKET_NAME_REGISTER): HashKvResult {
    let s: number
    if (this.count === 0 || (keepIsEmpty && this.alwaysDropped === 0)) {
      s = crc32cShift(initial ^ this.startRegister, this.totalLength) ^ this.endRegister
    } else {
      s = initial
      let runStart = -1
      let runLength = 0
      for (let ord = 0; ord <= this.count; ord++) {
        const atEnd = ord === this.count
        const flag = atEnd ? ALWAYS_DROPPED : this.dropped[ord >>> CHUNK_BITS]![ord & (CHUNK - 1)]!
        const kept = flag === KEPT || (keepIsEmpty && flag === DROPPED_BY_KEEP)
        if (kept) {
          if (runStart < 0) runStart = ord
          runLength += this.lens[ord >>> CHUNK_BITS]![ord & (CHUNK - 1)]!
          continue
        }
        if (runStart >= 0) {
          const startReg = this.regs[runStart >>> CHUNK_BITS]![runStart & (CHUNK - 1)]!
          const endReg = atEnd ? this.leEndRegister : this.regs[ord >>> CHUNK_BITS]![ord & (CHUNK - 1)]!
          s = crc32cShift(s ^ startReg, runLength) ^ endReg
          runStart = -1
          runLength = 0
        }
      }
      if (this.gtLength > 0) s = crc32cShift(s ^ this.gtStartRegister, this.gtLength) ^ this.endRegister
    }
    return { hash: crc32cFinish(s), revision, compactRevision: this.compactRevision }
  }
}
