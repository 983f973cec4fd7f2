/**
 * The `key` bucket as etcd's MVCC history: revision keys in order, values that are well-formed mvccpb.KeyValue with
 * mod_revision equal to the key's revision, and per user key a consistent history (create_revision and version
 * carried forward, version 1 at each creation, tombstones only for live keys). Also counts live keys and feeds the
 * HashKV recorder and the Kubernetes inventory.
 *
 * Per user key it keeps 21 bytes in an open-addressing table keyed by a 64-bit fingerprint of the key (the keys
 * themselves are not held), split into 64 partitions so growing never doubles the whole table at once.
 */
import type { LeafPage } from './bolt.js'
import { crc32cShift } from './crc32c.js'
import type { HashKvRecorder } from './hashkv.js'
import { decodeKeyValue, keyValue, parseRevisionKey, revisionKey } from './schema.js'

// ---------------------------------------------------------------------------------------------------------------
// Fingerprints: two murmur3-style 32-bit hashes with different seeds and constants.

export const fingerprint = { a: 0, b: 0 }

function fmix(h: number): number {
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h
}

export function fingerprintKey(bytes: Uint8Array, start: number, len: number): void {
  let h1 = 0x9747b28c | 0
  let h2 = 0x5bd1e995 | 0
  const end4 = start + (len & ~3)
  let i = start
  for (; i < end4; i += 4) {
    const k = bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24)
    let k1 = Math.imul(k, 0xcc9e2d51)
    k1 = (k1 << 15) | (k1 >>> 17)
    h1 ^= Math.imul(k1, 0x1b873593)
    h1 = (h1 << 13) | (h1 >>> 19)
    h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0
    let k2 = Math.imul(k, 0x239b961b)
    k2 = (k2 << 16) | (k2 >>> 16)
    h2 ^= Math.imul(k2, 0xab0e9789)
    h2 = (h2 << 17) | (h2 >>> 15)
    h2 = (Math.imul(h2, 7) + 0x38b34ae5) | 0
  }
  const tail = len & 3
  if (tail > 0) {
    let t = bytes[i]!
    if (tail > 1) t ^= bytes[i + 1]! << 8
    if (tail > 2) t ^= bytes[i + 2]! << 16
    let k1 = Math.imul(t, 0xcc9e2d51)
    h1 ^= Math.imul((k1 << 15) | (k1 >>> 17), 0x1b873593)
    k1 = Math.imul(t, 0x239b961b)
    h2 ^= Math.imul((k1 << 16) | (k1 >>> 16), 0xab0e9789)
  }
  fingerprint.a = fmix(h1 ^ len) >>> 0
  fingerprint.b = fmix(h2 ^ Math.imul(len, 0x2545f491)) >>> 0
}

// ---------------------------------------------------------------------------------------------------------------
// Per-key table

/**
 * Fields per slot (u32 each): fingerprint a, fingerprint b, create revision (low 32 bits), version, HashKV ordinal;
 * in split mode also the first post-compaction entry's version (0: a tombstone), create revision and main revision.
 */
const F_A = 0
const F_B = 1
const F_CREATE = 2
const F_VERSION = 3
const F_ORDINAL = 4
const F_FIRST_VERSION = 5
const F_FIRST_CREATE = 6
const F_FIRST_MAIN = 7
const WHOLE_STRIDE = 5
const SPLIT_STRIDE = 8
const F_USED = 1
const F_ALIVE = 2
const F_ENCRYPTED = 4
/** Split mode: the key's first revision after the compaction continues a revision at or below it. */
const F_NEEDS_SURVIVOR = 8
/** Split mode: the key has a revision after the compaction and at or below the HashKV revision. */
const F_TOUCHED = 16
const NO_ORDINAL = 0xffffffff
const PARTITION_BITS = 6
const INITIAL_CAPACITY = 256
const EMPTY = new Uint8Array(0)

class Partition {
  data: Uint32Array
  flags: Uint8Array
  mask: number
  used = 0
  constructor(capacity: number, stride: number) {
    this.data = new Uint32Array(capacity * stride)
    this.flags = new Uint8Array(capacity)
    this.mask = capacity - 1
  }
}

/** Open addressing, linear probing, 64 partitions each grown on its own (at 3/4 load). */
export class KeyTable {
  private readonly parts: Partition[]
  /** The partition of the last `slot`/`find` call. */
  part: Partition
  /** Distinct user keys held. */
  size = 0

  constructor(readonly stride: number) {
    this.parts = Array.from({ length: 1 << PARTITION_BITS }, () => new Partition(INITIAL_CAPACITY, stride))
    this.part = this.parts[0]!
  }

  /** Slot of the key with fingerprint (a, b) in `this.part`, inserted (flags = F_USED only) when absent. */
  slot(a: number, b: number): number {
    const index = a >>> (32 - PARTITION_BITS)
    let part = this.parts[index]!
    if ((part.used + 1) * 4 > (part.mask + 1) * 3) part = this.grow(index)
    this.part = part
    const stride = this.stride
    const data = part.data
    const flags = part.flags
    const mask = part.mask
    let i = (b ^ Math.imul(a, 0x9e3779b1)) & mask
    for (;;) {
      if (flags[i] === 0) {
        flags[i] = F_USED
        data.fill(0, i * stride, i * stride + stride)
        data[i * stride + F_A] = a
        data[i * stride + F_B] = b
        data[i * stride + F_ORDINAL] = NO_ORDINAL
        part.used++
        this.size++
        return i
      }
      if (data[i * stride + F_A] === a && data[i * stride + F_B] === b) return i
      i = (i + 1) & mask
    }
  }

  /** Slot of the key in `this.part`, or -1. */
  find(a: number, b: number): number {
    const part = this.parts[a >>> (32 - PARTITION_BITS)]!
    this.part = part
    const stride = this.stride
    const data = part.data
    const flags = part.flags
    const mask = part.mask
    let i = (b ^ Math.imul(a, 0x9e3779b1)) & mask
    for (;;) {
      if (flags[i] === 0) return -1
      if (data[i * stride + F_A] === a && data[i * stride + F_B] === b) return i
      i = (i + 1) & mask
    }
  }

  /** Call `fn(part, slot)` for every held key. */
  forEach(fn: (part: Partition, slot: number) => void): void {
    for (const part of this.parts) for (let i = 0; i <= part.mask; i++) if (part.flags[i] !== 0) fn(part, i)
  }

  private grow(index: number): Partition {
    const old = this.parts[index]!
    const stride = this.stride
    const next = new Partition((old.mask + 1) * 2, stride)
    for (let i = 0; i <= old.mask; i++) {
      if (old.flags[i] === 0) continue
      const a = old.data[i * stride + F_A]!
      const b = old.data[i * stride + F_B]!
      let j = (b ^ Math.imul(a, 0x9e3779b1)) & next.mask
      while (next.flags[j] !== 0) j = (j + 1) & next.mask
      next.flags[j] = old.flags[i]!
      next.data.set(old.data.subarray(i * stride, i * stride + stride), j * stride)
    }
    next.used = old.used
    this.parts[index] = next
    return next
  }

  get memoryBytes(): number {
    let n = 0
    for (const p of this.parts) n += p.data.byteLength + p.flags.byteLength
    return n
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Live-key observers

/** Told about every change of the live keyspace. */
export interface LiveKeyObserver {
  /** A key became live (created). */
  added(bytes: Uint8Array, keyStart: number, keyLen: number, encrypted: boolean): void
  /** A live key was deleted. */
  removed(bytes: Uint8Array, keyStart: number, keyLen: number, wasEncrypted: boolean): void
  /** A live key got a new value whose encryption state differs. */
  reencrypted(bytes: Uint8Array, keyStart: number, keyLen: number, encrypted: boolean): void
}

/** Kubernetes' envelope encryption marks values with this prefix. */
const ENCRYPTED_PREFIX = new TextEncoder().encode('k8s:enc:')

function isEncryptedValue(bytes: Uint8Array, start: number, len: number): boolean {
  if (len < ENCRYPTED_PREFIX.length) return false
  for (let i = 0; i < ENCRYPTED_PREFIX.length; i++) if (bytes[start + i] !== ENCRYPTED_PREFIX[i]) return false
  return true
}

// ---------------------------------------------------------------------------------------------------------------
// The key bucket

export interface KeyspaceOptions {
  /** The snapshot's compact revision (-1: never compacted). */
  compactRevision: number
  /** finishedCompactRev equals scheduledCompactRev: the backend has deleted everything compaction removes. */
  compactionComplete: boolean
  /**
   * Split mode (needs a complete compaction): the entries above the compact revision are given first (`entry`),
   * then the compacted survivors at or below it (`survivor`). Only keys changed since the compaction are held in
   * memory; without it, every key is.
   */
  split: boolean
  /** Records the entries above the compaction (in split mode, in a stream of its own starting at register 0). */
  hashKv: HashKvRecorder
  observer: LiveKeyObserver
  /** Reports a schema problem; returns false once enough problems have been collected to stop looking. */
  problem: (message: string) => boolean
  /** Where the entry of a main revision lies ("page P element i (byte X)"), for messages about it after the walk. */
  locate?: (main: number) => string
}

/** A HashKV register composed from runs of hashed survivors. */
interface SurvivorHash {
  hash: number
  runStart: number
  runLength: number
  inRun: boolean
}

export class Keyspace {
  /** All entries (puts and tombstones). */
  entries = 0
  tombstones = 0
  /** Live user keys now (after the last entry processed): 3.6 etcdutl's totalKey. */
  liveKeys = 0
  /** Live keys at the HashKV revision. */
  liveAtHashRevision = -1
  /** The newest revision key seen: `snapshot status` revision is its main. */
  lastMain = 0
  private lastSub = -1
  readonly table: KeyTable
  private stopped = false
  /** Split mode, survivors: the last survivor revision, and the HashKV composition of the survivor stream. */
  private survivorMain = 0
  private survivorSub = -1
  private survivorLive = 0
  private readonly prefix = { start: 0, end: 0, length: 0, hash: 0, runStart: 0, runLength: 0, inRun: false }
  /** The survivors' HashKV composition when keep is empty (only tombstones at the compact revision skipped). */
  private readonly prefixKeepEmpty: SurvivorHash = { hash: 0, runStart: 0, runLength: 0, inRun: false }

  constructor(private readonly opts: KeyspaceOptions) {
    this.table = new KeyTable(opts.split ? SPLIT_STRIDE : WHOLE_STRIDE)
  }

  /**
   * An entry of the key bucket (in split mode, one above the compact revision): element i of `page`, whose bytes
   * moved the CRC register from `before` to `after`.
   */
  entry(page: LeafPage, i: number, before: number, after: number): void {
    this.entries++
    if (this.stopped) return
    const bytes = page.buf.bytes
    const kOff = page.keyOff[i]!
    const kLen = page.keyLen[i]!
    const vOff = kOff + kLen
    const vLen = page.valLen[i]!
    const opts = this.opts
    const split = opts.split
    const hashKv = opts.hashKv
    if (page.flags[i] !== 0) return this.fail(page, i, 'nested bucket inside the key bucket')
    let p = parseRevisionKey(bytes, kOff, kLen)
    if (p) return this.fail(page, i, p)
    const main = revisionKey.main
    const sub = revisionKey.sub
    const tomb = revisionKey.tombstone
    if (main < this.lastMain || (main === this.lastMain && sub <= this.lastSub)) {
      return this.fail(
        page,
        i,
        `revision ${main}_${sub} does not follow ${this.lastMain}_${this.lastSub} (duplicate or out of order)`
      )
    }
    if (split && main <= opts.compactRevision) {
      return this.fail(
        page,
        i,
        `revision ${main}_${sub} is among the revisions after the compaction at ${opts.compactRevision} (keys out of order)`
      )
    }
    // Above the compact revision nothing has been removed: every revision from there on is present (each write
    // transaction takes the next main revision) and a transaction's changes get subs 0, 1, 2, ...
    if (main > opts.compactRevision) {
      const floor = Math.max(opts.compactRevision, 1)
      const wantMain = this.lastMain > floor ? this.lastMain + 1 : floor + 1
      if (main !== this.lastMain && main !== wantMain) {
        return this.fail(
          page,
          i,
          `revision ${main}_${sub} follows ${this.lastMain > floor ? `${this.lastMain}_${this.lastSub}` : `compact revision ${opts.compactRevision}`}: revision ${wantMain} is missing or the key is damaged`
        )
      }
      const want = main === this.lastMain ? this.lastSub + 1 : 0
      if (sub !== want)
        return this.fail(
          page,
          i,
          `revision ${main}_${sub}: sub revision should be ${want} (a change of the transaction is missing or the key is damaged)`
        )
    }
    const prevMain = this.lastMain
    this.lastMain = main
    this.lastSub = sub
    if (prevMain <= hashKv.revision && main > hashKv.revision) this.liveAtHashRevision = this.liveKeys

    // `snapshot restore --bump-revision` (3.4.27+, 3.5.10+) writes an empty value at the bumped revision and marks
    // it compacted; etcd indexes it as the empty key.
    if (vLen === 0 && !tomb && sub === 0 && main <= opts.compactRevision)
      return this.bumpMarker(main, before, after, kLen)
    p = decodeKeyValue(bytes, vOff, vOff + vLen)
    if (p) return this.fail(page, i, `revision ${main}_${sub}: ${p}`)
    const kv = keyValue
    if (tomb) {
      if (kv.fields !== 1) return this.fail(page, i, `tombstone ${main}_${sub} holds more than the key`)
      this.tombstones++
    } else {
      if (kv.modRevision !== main)
        return this.fail(
          page,
          i,
          `revision ${main}_${sub}: mod_revision ${kv.modRevision} differs from the key's revision`
        )
      if (kv.createRevision < 1 || kv.createRevision > main)
        return this.fail(page, i, `revision ${main}_${sub}: create_revision ${kv.createRevision} is not in 1..${main}`)
      if (kv.version < 1) return this.fail(page, i, `revision ${main}_${sub}: version missing`)
    }

    fingerprintKey(bytes, kv.keyOff, kv.keyLen)
    const table = this.table
    const stride = table.stride
    const sizeBefore = table.size
    const slot = table.slot(fingerprint.a, fingerprint.b)
    const part = table.part
    const fresh = table.size !== sizeBefore
    const flags = part.flags[slot]!
    const base = slot * stride
    const alive = (flags & F_ALIVE) !== 0
    const atOrBelowCompact = main <= opts.compactRevision
    // A finished compaction at C leaves per key only its latest revision at or below C, and no tombstone below C.
    // etcd 3.4.34+, 3.5.16+ and 3.6 keep a tombstone at exactly C (mvcc keyIndex.compact); older releases drop it.
    if (atOrBelowCompact && opts.compactionComplete && (!fresh || (tomb && main < opts.compactRevision))) {
      return this.fail(
        page,
        i,
        `revision ${main}_${sub} should have been removed by the finished compaction at ${opts.compactRevision}`
      )
    }
    const isCreation = !tomb && kv.version === 1 && kv.createRevision === main
    // A key first seen after the compaction may continue a survivor at or below it (split mode checks that
    // survivor later); without split mode only a first revision at or below the compaction may lack a creation.
    const continuesSurvivor = fresh && split && !isCreation
    let extra = 0
    if (continuesSurvivor) {
      extra = F_NEEDS_SURVIVOR
      part.data[base + F_FIRST_VERSION] = tomb ? 0 : kv.version
      part.data[base + F_FIRST_CREATE] = tomb ? 0 : kv.createRevision >>> 0
      part.data[base + F_FIRST_MAIN] = main >>> 0
    } else if (split && fresh) {
      part.data[base + F_FIRST_VERSION] = 1
    }
    const encrypted = !tomb && isEncryptedValue(bytes, kv.valueOff, kv.valueLen)
    if (tomb) {
      if (!alive && !continuesSurvivor && !(fresh && atOrBelowCompact))
        return this.fail(page, i, `tombstone ${main}_${sub} deletes a key that does not exist`)
      if (alive) {
        this.liveKeys--
        opts.observer.removed(bytes, kv.keyOff, kv.keyLen, (flags & F_ENCRYPTED) !== 0)
      }
      part.flags[slot] = (flags & (F_NEEDS_SURVIVOR | F_TOUCHED)) | extra | F_USED
    } else {
      const createLow = kv.createRevision >>> 0
      if (alive) {
        const prevVersion = part.data[base + F_VERSION]!
        if (kv.version !== prevVersion + 1 || createLow !== part.data[base + F_CREATE]) {
          return this.fail(
            page,
            i,
            `revision ${main}_${sub}: version ${kv.version}/create_revision ${kv.createRevision} do not continue the key's history (version ${prevVersion} before)`
          )
        }
        if (((flags & F_ENCRYPTED) !== 0) !== encrypted)
          opts.observer.reencrypted(bytes, kv.keyOff, kv.keyLen, encrypted)
      } else {
        // A creation: version 1 at its own revision, except where it continues a compacted survivor.
        if (!continuesSurvivor && !(fresh && atOrBelowCompact) && !isCreation) {
          return this.fail(
            page,
            i,
            `revision ${main}_${sub}: creates the key with version ${kv.version}/create_revision ${kv.createRevision}, expected 1/${main}`
          )
        }
        this.liveKeys++
        opts.observer.added(bytes, kv.keyOff, kv.keyLen, encrypted)
      }
      part.data[base + F_CREATE] = createLow
      part.data[base + F_VERSION] = kv.version
      part.flags[slot] =
        (flags & (F_NEEDS_SURVIVOR | F_TOUCHED)) | extra | F_USED | F_ALIVE | (encrypted ? F_ENCRYPTED : 0)
    }

    // HashKV keep set: only a key's latest non-tombstone revision at or below the hash revision is kept.
    if (main <= hashKv.revision) {
      if (split) part.flags[slot]! |= F_TOUCHED
      const prevOrd = part.data[base + F_ORDINAL]!
      if (prevOrd !== NO_ORDINAL) hashKv.drop(prevOrd)
      const ord = hashKv.add(main, before, after, kLen + vLen, tomb)
      part.data[base + F_ORDINAL] = ord >= 0 && !tomb ? ord : NO_ORDINAL
    }
  }

  /** The revision-bump marker: a live empty key with no history to check (etcdutl 3.6 counts it as a key too). */
  private bumpMarker(main: number, before: number, after: number, length: number): void {
    const table = this.table
    const stride = table.stride
    const sizeBefore = table.size
    fingerprintKey(EMPTY, 0, 0)
    const slot = table.slot(fingerprint.a, fingerprint.b)
    const part = table.part
    const base = slot * stride
    if (table.size !== sizeBefore || (part.flags[slot]! & F_ALIVE) === 0) this.liveKeys++
    part.flags[slot] = F_USED | F_ALIVE
    part.data[base + F_CREATE] = 0
    part.data[base + F_VERSION] = 0
    if (main <= this.opts.hashKv.revision) {
      const prevOrd = part.data[base + F_ORDINAL]!
      if (prevOrd !== NO_ORDINAL) this.opts.hashKv.drop(prevOrd)
      const ord = this.opts.hashKv.add(main, before, after, length, false)
      part.data[base + F_ORDINAL] = ord >= 0 ? ord : NO_ORDINAL
    }
  }

  /** End of the entries (in split mode, of those above the compaction). */
  finish(): void {
    if (this.liveAtHashRevision < 0) this.liveAtHashRevision = this.liveKeys
  }

  // -------------------------------------------------------------------------------------------------------------
  // Split mode: the compacted survivors, after the entries above the compaction.

  /**
   * Start the survivors: `register` is the status CRC register where the key bucket's entries begin, and
   * `keyNameRegister` the HashKV register after the bucket name.
   */
  beginSurvivors(register: number, keyNameRegister: number): void {
    const p = this.prefix
    p.start = register
    p.end = register
    p.hash = keyNameRegister
    this.prefixKeepEmpty.hash = keyNameRegister
  }

  /**
   * A compacted survivor (split mode; entry at or below the compact revision, given in order). Whether HashKV keeps
   * it is known at once: not when its key changed later at or below the hash revision.
   */
  survivor(page: LeafPage, i: number, before: number, after: number, hashCompactRevision: number): void {
    this.entries++
    const length = page.keyLen[i]! + page.valLen[i]!
    const p = this.prefix
    p.end = after
    p.length += length
    if (this.stopped) return
    const bytes = page.buf.bytes
    const kOff = page.keyOff[i]!
    const kLen = page.keyLen[i]!
    const vOff = kOff + kLen
    const vLen = page.valLen[i]!
    const opts = this.opts
    if (page.flags[i] !== 0) return this.fail(page, i, 'nested bucket inside the key bucket')
    let problem = parseRevisionKey(bytes, kOff, kLen)
    if (problem) return this.fail(page, i, problem)
    const main = revisionKey.main
    const sub = revisionKey.sub
    if (main < this.survivorMain || (main === this.survivorMain && sub <= this.survivorSub)) {
      return this.fail(
        page,
        i,
        `revision ${main}_${sub} does not follow ${this.survivorMain}_${this.survivorSub} (duplicate or out of order)`
      )
    }
    if (main > opts.compactRevision) {
      return this.fail(
        page,
        i,
        `revision ${main}_${sub} is among the revisions at or below the compaction at ${opts.compactRevision} (keys out of order)`
      )
    }
    this.survivorMain = main
    this.survivorSub = sub
    if (revisionKey.tombstone) return this.survivorTombstone(page, i, before, length, hashCompactRevision)
    let keyOff = 0
    let keyLen = 0
    let encrypted = false
    const marker = vLen === 0 && sub === 0
    if (marker) {
      fingerprintKey(EMPTY, 0, 0)
    } else {
      problem = decodeKeyValue(bytes, vOff, vOff + vLen)
      if (problem) return this.fail(page, i, `revision ${main}_${sub}: ${problem}`)
      const kv = keyValue
      if (kv.modRevision !== main)
        return this.fail(
          page,
          i,
          `revision ${main}_${sub}: mod_revision ${kv.modRevision} differs from the key's revision`
        )
      if (kv.createRevision < 1 || kv.createRevision > main)
        return this.fail(page, i, `revision ${main}_${sub}: create_revision ${kv.createRevision} is not in 1..${main}`)
      if (kv.version < 1) return this.fail(page, i, `revision ${main}_${sub}: version missing`)
      keyOff = kv.keyOff
      keyLen = kv.keyLen
      encrypted = isEncryptedValue(bytes, kv.valueOff, kv.valueLen)
      fingerprintKey(bytes, keyOff, keyLen)
    }
    const table = this.table
    const slot = table.find(fingerprint.a, fingerprint.b)
    let dropped = false
    if (slot >= 0) {
      const part = table.part
      const base = slot * table.stride
      const flags = part.flags[slot]!
      if ((flags & F_NEEDS_SURVIVOR) === 0) {
        return this.fail(
          page,
          i,
          `revision ${main}_${sub}: the key is created again after the compaction although this revision survived it`
        )
      }
      part.flags[slot] = flags & ~F_NEEDS_SURVIVOR
      const nextVersion = part.data[base + F_FIRST_VERSION]!
      if (
        !marker &&
        nextVersion !== 0 &&
        (keyValue.version !== nextVersion - 1 || keyValue.createRevision >>> 0 !== part.data[base + F_FIRST_CREATE])
      ) {
        return this.fail(
          page,
          i,
          `revision ${main}_${sub}: version ${keyValue.version}/create_revision ${keyValue.createRevision} are not continued by revision ${part.data[base + F_FIRST_MAIN]} (version ${nextVersion})`
        )
      }
      dropped = main <= hashCompactRevision && (flags & F_TOUCHED) !== 0
      if ((flags & F_TOUCHED) === 0) this.survivorLive++
    } else {
      // The newest revision of its key: live.
      this.liveKeys++
      this.survivorLive++
      if (!marker) opts.observer.added(bytes, keyOff, keyLen, encrypted)
    }
    // HashKV over the survivors: runs of kept entries, composed as they end.
    this.hashSurvivor(p, dropped, before, length)
    this.hashSurvivor(this.prefixKeepEmpty, false, before, length)
  }

  /**
   * A compacted survivor that is a tombstone. etcd 3.4.34+, 3.5.16+ and 3.6 keep one at exactly the compact
   * revision (its key deleted there; older releases remove it); one below it should have gone. Its key is not live,
   * and HashKV skips it: never in keep, and skipped even with an empty keep at exactly the hash's compact revision.
   */
  private survivorTombstone(
    page: LeafPage,
    i: number,
    before: number,
    length: number,
    hashCompactRevision: number
  ): void {
    const opts = this.opts
    const main = revisionKey.main
    const sub = revisionKey.sub
    if (main !== opts.compactRevision)
      return this.fail(
        page,
        i,
        `tombstone ${main}_${sub} should have been removed by the finished compaction at ${opts.compactRevision}`
      )
    const bytes = page.buf.bytes
    const vOff = page.keyOff[i]! + page.keyLen[i]!
    const problem = decodeKeyValue(bytes, vOff, vOff + page.valLen[i]!)
    if (problem) return this.fail(page, i, `revision ${main}_${sub}: ${problem}`)
    if (keyValue.fields !== 1) return this.fail(page, i, `tombstone ${main}_${sub} holds more than the key`)
    this.tombstones++
    fingerprintKey(bytes, keyValue.keyOff, keyValue.keyLen)
    const table = this.table
    const slot = table.find(fingerprint.a, fingerprint.b)
    if (slot >= 0) {
      const part = table.part
      const flags = part.flags[slot]!
      if ((flags & F_NEEDS_SURVIVOR) !== 0) {
        part.flags[slot] = flags & ~F_NEEDS_SURVIVOR
        return this.fail(
          page,
          i,
          `revision ${part.data[slot * table.stride + F_FIRST_MAIN]} continues the history of a key deleted by tombstone ${main}_${sub} instead of creating it again`
        )
      }
    }
    this.hashSurvivor(this.prefix, true, before, length)
    this.hashSurvivor(this.prefixKeepEmpty, main === hashCompactRevision, before, length)
  }

  private hashSurvivor(p: SurvivorHash, dropped: boolean, before: number, length: number): void {
    if (dropped) {
      if (p.inRun) {
        p.hash = crc32cShift(p.hash ^ p.runStart, p.runLength) ^ before
        p.inRun = false
      }
    } else {
      if (!p.inRun) {
        p.inRun = true
        p.runStart = before
        p.runLength = 0
      }
      p.runLength += length
    }
  }

  /**
   * End of the survivors. Reports keys whose history after the compaction needs a survivor that is missing, and
   * returns the HashKV register over the survivors and the full survivor stream (start/end registers, length).
   */
  finishSurvivors(): { hash: number; hashKeepEmpty: number; start: number; end: number; length: number } {
    const p = this.prefix
    for (const h of [p, this.prefixKeepEmpty]) {
      if (h.inRun) {
        h.hash = crc32cShift(h.hash ^ h.runStart, h.runLength) ^ p.end
        h.inRun = false
      }
    }
    if (this.survivorMain > this.lastMain) {
      this.lastMain = this.survivorMain
    }
    if (this.liveAtHashRevision >= 0) this.liveAtHashRevision += this.survivorLive
    if (!this.stopped) {
      let orphans = 0
      let example = 0
      this.table.forEach((part, slot) => {
        if ((part.flags[slot]! & F_NEEDS_SURVIVOR) === 0) return
        if (orphans++ === 0) example = part.data[slot * this.table.stride + F_FIRST_MAIN]!
      })
      if (orphans > 0) {
        const where = this.opts.locate?.(example) ?? ''
        this.opts.problem(
          `bucket "key"${where ? ` ${where}` : ''}: revision ${example}${orphans > 1 ? ` (and ${orphans - 1} more)` : ''} continues a key's history from a revision at or below the compaction at ${this.opts.compactRevision} that is not in the snapshot (its version/create_revision may be damaged)`
        )
      }
    }
    return { hash: p.hash, hashKeepEmpty: this.prefixKeepEmpty.hash, start: p.start, end: p.end, length: p.length }
  }

  private fail(page: LeafPage, i: number, message: string): void {
    if (!this.opts.problem(`bucket "key" ${page.where(i)}: ${message}`)) this.stopped = true
  }
}
