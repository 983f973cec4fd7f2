/**
 * The native snapshot verifier: one pass over an etcd snapshot that checks the trailer, the bbolt structure and
 * etcd's schema, and computes what `snapshot status` and `endpoint hashkv` would say, plus a Kubernetes inventory.
 *
 * It never throws on malformed input: damage of any kind becomes `valid: false` with errors, the first of which says
 * what is wrong and where (page id and byte offset). Only a file that cannot be read at all throws
 * (SnapshotReadError, a VerificationError).
 */
import { errorMessage, VerificationError } from '../errors.js'
import {
  BUCKET_HEADER_SIZE,
  BUCKET_LEAF_FLAG,
  compareMetas,
  decodeInlinePage,
  isValidPageSize,
  hexU32,
  locateKey,
  LeafPage,
  MAGIC,
  PAGE_FREE,
  PAGE_FREELIST,
  PAGE_OVERFLOW,
  PAGE_TREE,
  PageMap,
  parseMeta,
  readFreelist,
  readU64,
  TreeWalk,
  type KeyRange,
  type BoltFile,
  type Meta
} from './bolt.js'
import { crc32cShift, crc32cUpdate } from './crc32c.js'
import { HashKvRecorder, KEY_BUCKET_NAME_REGISTER, type HashKvResult } from './hashkv.js'
import { Keyspace, type LiveKeyObserver } from './keyspace.js'
import { KubernetesTracker, RequiredPrefixes, type KubernetesInventory } from './kubernetes.js'
import { PageBuffer, SnapshotFile, SnapshotReadError } from './reader.js'
import {
  checkBookkeepingEntry,
  ETCD_BUCKETS,
  KEY_BUCKET,
  META_BUCKET,
  REQUIRED_BUCKETS,
  type BookkeepingFacts
} from './schema.js'
import { quoted } from './printable.js'
import { StatusHash, type SnapshotStatus } from './status.js'
import { hasSnapshotSize, readTrailer, sha256OfPrefix, SNAPSHOT_BLOCK, TRAILER_SIZE } from './trailer.js'

export interface VerifyOptions {
  /** Key prefixes (e.g. /registry/namespaces/kube-system) that must each have at least one live key. */
  requiredKeys?: readonly string[]
  /** Fewer live keys than this makes the snapshot invalid. */
  minKeys?: number
  /** Revision to compute HashKV at (default: the snapshot's revision). */
  hashRevision?: number
  /**
   * The live member's compact revision, when it differs from the snapshot's (it compacted after the save): HashKV
   * then matches what the member computes. Default: the snapshot's scheduled compact revision.
   */
  compactRevision?: number
  /**
   * sha256 (hex) of the file without its last 32 bytes, when the caller computes it while streaming the file (the
   * backup pipeline does): the verifier then does not read the file a second time for it. A promise lets the walk
   * start while the caller is still hashing.
   */
  dataSha256?: string | Promise<string>
  /** Stop collecting structure errors after this many (default 20). */
  maxErrors?: number
  /**
   * Accept a file without a sha256 trailer (a copy of a member's member/snap/db): its structure is still checked and
   * its status reported, but nothing can show it is unchanged. A trailer that is there is checked all the same.
   */
  skipHashCheck?: boolean
}

export interface SnapshotReport {
  valid: boolean
  /** Empty when valid. The first is the headline: what is wrong and where. */
  errors: string[]
  /** Things worth knowing that do not make the snapshot invalid (e.g. Secrets stored unencrypted). */
  warnings: string[]
  path: string
  /** File size in bytes. */
  size: number
  /** The sha256 trailer etcd appended (hex), '' when the file has none. */
  sha256: string
  /** sha256 of the data before the trailer, as computed here (hex); '' when the file has no trailer. */
  dataSha256: string
  pageSize: number
  /** What `etcdctl snapshot status -w json` (3.4) prints. */
  status: SnapshotStatus
  /** Live user keys at the snapshot's revision: what etcdutl 3.6 prints as totalKey. */
  liveKeys: number
  /** Entries in the key bucket (revisions of all user keys, tombstones included). */
  keyRevisions: number
  /** Compact revision the snapshot records (scheduledCompactRev; -1 when never compacted). */
  compactRevision: number
  /** The compaction the snapshot records had finished deleting old revisions. */
  compactionFinished: boolean
  /**
   * etcd's HashKV at `hashKV.revision`; absent when the key bucket could not be read cleanly or that revision is
   * compacted.
   */
  hashKV?: HashKvResult
  consistentIndex?: number
  term?: number
  clusterVersion?: string
  storageVersion?: string
  authEnabled: boolean
  /** Entries per top-level bucket. */
  buckets: Record<string, number>
  leases: number
  members: number
  pages: { total: number; tree: number; free: number; freelist: number }
  kubernetes: KubernetesInventory
  /** Live keys under each required prefix. */
  requiredKeys: { prefix: string; liveKeys: number }[]
}

/** The 17-byte key of revision main_0: every key bucket key at or above it has a main revision >= main. */
function revisionKeyBytes(main: number): Uint8Array {
  const key = new Uint8Array(17)
  const view = new DataView(key.buffer)
  view.setUint32(0, Math.floor(main / 0x100000000))
  view.setUint32(4, main >>> 0)
  key[8] = 0x5f
  return key
}

/** Verify a snapshot file. Rejects only when the file cannot be read (SnapshotReadError). */
export async function verifySnapshot(path: string, opts: VerifyOptions = {}): Promise<SnapshotReport> {
  const file = SnapshotFile.open(path)
  try {
    return await new Verification(file, opts).run()
  } finally {
    file.close()
  }
}

/** Error ranks: the headline is the most basic problem, and page-level damage says where before the sha256 does. */
const RANK_KIND = -1
const RANK_FILE = 0
const RANK_META = 1
const RANK_STRUCTURE = 2
const RANK_TRAILER = 3
const RANK_POLICY = 4

/** The largest meta bucket value kept for the status hash. */
const MAX_META_VALUE = 64 * 1024

/** Visit this many pages between looks at the clock; yield to the event loop every YIELD_MS. */
const STEP_PAGES = 256
const YIELD_MS = 20

interface TopBucket {
  name: string
  /** Where its entry in the root bucket is, for messages. */
  where: string
  nameBytes: Uint8Array
  /** Root page id, 0 for an inline bucket. */
  root: number
  /** Inline bucket: the value bytes (16-byte header + page) and their file position. */
  inline: PageBuffer | null
  inlineLength: number
  inlineFileOffset: number
}

class Verification {
  private readonly errors: { rank: number; message: string }[] = []
  private readonly warnings: string[] = []
  private readonly maxErrors: number
  private structureErrors = 0
  private lastYield = performance.now()
  private readonly leaf = new LeafPage()
  private readonly status = new StatusHash()
  private readonly facts: BookkeepingFacts = {
    meta: {},
    leases: 0,
    members: 0,
    removedMembers: 0,
    users: 0,
    roles: 0,
    alarms: 0
  }
  private readonly buckets: Record<string, number> = {}
  private readonly kubernetes = new KubernetesTracker()
  private readonly required: RequiredPrefixes
  private keyspace: Keyspace | null = null
  private hashKv: HashKvRecorder | null = null
  private keyBucketClean = false
  /** Split mode: the compacted survivors' HashKV register and stream. */
  private survivors: { hash: number; hashKeepEmpty: number; start: number; end: number; length: number } | null = null
  private pageMap: PageMap | null = null
  private pageSize = 0
  private totalSize = 0

  constructor(
    private readonly file: SnapshotFile,
    private readonly opts: VerifyOptions
  ) {
    this.maxErrors = Math.max(1, opts.maxErrors ?? 20)
    this.required = new RequiredPrefixes(opts.requiredKeys ?? [])
  }

  /** Record an error; returns false once enough structure errors are in to stop looking for more. */
  private error(rank: number, message: string): boolean {
    if (rank !== RANK_STRUCTURE) {
      this.errors.push({ rank, message })
      return true
    }
    if (this.structureErrors < this.maxErrors) this.errors.push({ rank, message })
    this.structureErrors++
    return this.structureErrors < this.maxErrors
  }

  async run(): Promise<SnapshotReport> {
    const size = this.file.size
    // The meta pages first: a file that is not bbolt at all is named as such without reading (or hashing) the rest.
    const meta = this.readMetas()
    if (!meta) return this.report('', '')
    const dataEnd = meta.hwm * meta.pageSize
    // bbolt pages are multiples of 512 bytes and `snapshot save` appends a 32-byte sha256: a file of whole pages has
    // no trailer. That is what a copy of a member's database (member/snap/db) is; its size may exceed the high-water
    // mark, as bbolt grows the file ahead of use.
    const hasTrailer = size % SNAPSHOT_BLOCK !== 0
    const dataLength = hasTrailer ? Math.max(0, size - TRAILER_SIZE) : size
    if (hasTrailer) this.checkSnapshotShape(meta, size, dataLength)
    else this.checkDatabaseShape(meta, size, dataEnd)

    const trailer = hasTrailer ? readTrailer(this.file) : ''
    const shaPromise = !hasTrailer
      ? Promise.resolve('')
      : this.opts.dataSha256 !== undefined
        ? Promise.resolve(this.opts.dataSha256)
        : sha256OfPrefix(this.file, dataLength)
    // Keep an early rejection from being reported as unhandled while the walk runs; awaited below.
    shaPromise.catch(() => undefined)

    try {
      await this.walk(meta)
    } catch (e: unknown) {
      if (e instanceof SnapshotReadError) throw e
      if (e instanceof VerificationError) this.error(RANK_STRUCTURE, e.message)
      else
        this.error(
          RANK_STRUCTURE,
          `internal error while verifying (a bug in the verifier; the file may still be damaged): ${errorMessage(e)}`
        )
    }

    const dataSha256 = await shaPromise
    if (hasTrailer && trailer !== dataSha256) {
      this.error(
        RANK_TRAILER,
        `sha256 mismatch: the trailer at bytes ${dataLength}..${size - 1} says ${trailer} but bytes 0..${dataLength - 1} hash to ${dataSha256} (the file changed after etcd wrote it)`
      )
    }
    return this.report(dataSha256, trailer)
  }

  /** `snapshot save` output: the bbolt data up to the high-water mark, then the 32-byte trailer. */
  private checkSnapshotShape(meta: Meta, size: number, dataLength: number): void {
    if (size < TRAILER_SIZE + 2 * 512) {
      this.error(
        RANK_FILE,
        `file is ${size} bytes: too small for an etcd snapshot (two bbolt meta pages and a 32-byte sha256 trailer)`
      )
    } else if (!hasSnapshotSize(size)) {
      const extra = (size - TRAILER_SIZE + SNAPSHOT_BLOCK * 4) % SNAPSHOT_BLOCK
      this.error(
        RANK_FILE,
        `file size ${size} is not 512·n + 32 (off by ${extra} bytes at the end, byte ${size}): the snapshot is truncated or has bytes appended`
      )
    }
    if (meta.hwm * meta.pageSize !== dataLength) {
      this.error(
        RANK_META,
        `meta page ${meta.index} (byte ${meta.index * meta.pageSize + 56}): high-water mark ${meta.hwm} × page size ${meta.pageSize} = ${meta.hwm * meta.pageSize} bytes, but the file holds ${dataLength} bytes before the trailer`
      )
    }
  }

  /** A file of whole pages: a member's database, acceptable only when the caller skips the hash check. */
  private checkDatabaseShape(meta: Meta, size: number, dataEnd: number): void {
    if (dataEnd > size) {
      this.error(
        RANK_FILE,
        `file is ${size} bytes but meta page ${meta.index} (byte ${meta.index * meta.pageSize + 56}) says the database holds ${meta.hwm} pages of ${meta.pageSize} bytes (${dataEnd}): the file is cut short`
      )
    } else if (!this.opts.skipHashCheck) {
      this.error(
        RANK_FILE,
        `no sha256 trailer (${size} bytes is a whole number of ${meta.pageSize}-byte pages, not 512·n + 32): this is a copy of a member's database (member/snap/db), not \`etcdctl snapshot save\` output, so nothing shows it is unchanged since etcd wrote it; if you trust the copy, verify or restore it with --skip-hash-check`
      )
    } else {
      this.warnings.push(
        `no sha256 trailer: a copy of a member's database (member/snap/db); its structure was checked, but nothing shows it is unchanged since etcd wrote it`
      )
    }
  }

  private async maybeYield(): Promise<void> {
    const now = performance.now()
    if (now - this.lastYield < YIELD_MS) return
    await new Promise<void>(resolve => setImmediate(resolve))
    this.lastYield = performance.now()
  }

  private async walk(meta: Meta): Promise<void> {
    const pagesInFile = Math.floor(this.file.size / meta.pageSize)
    const hwm = Math.min(meta.hwm, pagesInFile)
    const db: BoltFile = { file: this.file, pageSize: meta.pageSize, hwm, pagesInFile, pages: new PageMap(hwm) }
    this.pageMap = db.pages
    if (meta.freelist >= 0) readFreelist(db, meta.freelist)

    // The root bucket: one entry per top-level bucket.
    const tops: TopBucket[] = []
    const rootWalk = new TreeWalk(db, '(root)', meta.root, page => this.collectTopBuckets(page, tops))
    while (!rootWalk.step(STEP_PAGES)) await this.maybeYield()
    const names = tops.map(t => t.name)
    const foreign = tops.filter(t => !ETCD_BUCKETS.includes(t.name))
    const missing = REQUIRED_BUCKETS.filter(b => !names.includes(b))
    if (foreign.length === tops.length) {
      // Not one of etcd's buckets: some other program's bbolt database (or an empty one), not damage to etcd's.
      const held =
        names.length > 0 ? `its buckets ${names.map(quoted).join(', ')} are not etcd's` : 'it holds no buckets'
      this.error(RANK_KIND, `a bbolt database, but not etcd's: no "${KEY_BUCKET}" bucket, and ${held}`)
      return
    }
    for (const top of foreign)
      this.error(RANK_STRUCTURE, `root bucket ${top.where}: ${quoted(top.name)} is not an etcd bucket`)
    for (const required of missing) {
      this.error(
        RANK_STRUCTURE,
        `no "${required}" bucket: not an etcd data file (buckets: ${names.map(quoted).join(', ') || 'none'})`
      )
    }
    if (missing.length > 0 || foreign.length > 0) return

    // meta first: HashKV needs the compact revision before the key bucket is read. Its entries are kept aside and
    // replayed into the status hash in bucket order.
    const metaEntries: [Uint8Array, Uint8Array][] = []
    const metaBucket = tops.find(t => t.name === META_BUCKET)!
    await this.walkBucket(db, metaBucket, page => {
      for (let i = 0; i < page.count; i++) {
        if (metaEntries.length >= 64)
          throw new VerificationError(`bucket "meta" ${page.where(i)}: more than 64 entries`)
        // Kept until the status hash replays them: etcd's meta values are a few bytes (confState a little JSON).
        if (page.valLen[i]! > MAX_META_VALUE)
          throw new VerificationError(
            `bucket "meta" ${page.where(i)}: a value of ${page.valLen[i]} bytes, more than etcd stores there (at most ${MAX_META_VALUE})`
          )
        const k = page.keyOff[i]!
        const v = k + page.keyLen[i]!
        metaEntries.push([page.buf.bytes.slice(k, v), page.buf.bytes.slice(v, v + page.valLen[i]!)])
        this.bookkeeping(page, i)
      }
    })

    const m = this.facts.meta
    const scheduled = m.scheduledCompactRevision
    const finished = m.finishedCompactRevision
    const snapshotCompact = Math.max(scheduled ?? -1, finished ?? -1)
    const compactRevision = this.opts.compactRevision ?? snapshotCompact
    const hashRevision = this.opts.hashRevision ?? Number.MAX_SAFE_INTEGER
    this.hashKv = new HashKvRecorder(compactRevision, hashRevision)
    const observers: LiveKeyObserver[] = [this.kubernetes, this.required]
    const observer: LiveKeyObserver = {
      added: (b, s, l, e) => observers.forEach(o => o.added(b, s, l, e)),
      removed: (b, s, l, e) => observers.forEach(o => o.removed(b, s, l, e)),
      reencrypted: (b, s, l, e) => observers.forEach(o => o.reencrypted(b, s, l, e))
    }
    const compactionComplete = scheduled === undefined || scheduled === finished
    const keyBucket = tops.find(t => t.name === KEY_BUCKET)!
    // Split mode keeps only keys changed since the compaction in memory (see Keyspace); it needs the compaction
    // finished and the key bucket in pages of its own.
    const split = snapshotCompact >= 1 && compactionComplete && keyBucket.inline === null
    this.keyspace = new Keyspace({
      compactRevision: snapshotCompact,
      compactionComplete,
      split,
      hashKv: this.hashKv,
      observer,
      problem: message => this.error(RANK_STRUCTURE, message),
      locate: main => locateKey(db, keyBucket.root, revisionKeyBytes(main))
    })

    for (const top of tops) {
      this.status.bucketName(top.nameBytes)
      const before = this.status.totalKey
      if (top.name === META_BUCKET) {
        for (const [k, v] of metaEntries) this.status.entry(k, v)
      } else if (top.name === KEY_BUCKET) {
        const errorsBefore = this.structureErrors
        if (split) await this.walkKeyBucketSplit(db, top, snapshotCompact, compactRevision)
        else {
          this.hashKv.begin(this.status.register)
          await this.walkBucket(db, top, page => this.keyPage(page))
          this.keyspace.finish()
        }
        this.keyBucketClean = this.structureErrors === errorsBefore
      } else {
        await this.walkBucket(db, top, page => {
          this.status.page(page)
          for (let i = 0; i < page.count; i++) this.bookkeeping(page, i)
        })
      }
      this.buckets[top.name] = this.status.totalKey - before
      if (this.structureErrors >= this.maxErrors) return
    }

    if (meta.freelist >= 0 && this.errors.length === 0) {
      const leaked = db.pages.firstUnaccounted()
      if (leaked >= 0) {
        this.error(
          RANK_STRUCTURE,
          `page ${leaked} (byte ${leaked * meta.pageSize}) is neither reachable from the root nor in the freelist`
        )
      }
    }
  }

  /**
   * Check both meta pages; returns the one bbolt would use (the valid one with the higher txid), or null. A snapshot's
   * two meta pages must also agree as `snapshot save` writes them; a member's database is checked for that later.
   */
  private readMetas(): Meta | null {
    const size = this.file.size
    const probe = new PageBuffer(65536 * 2)
    const got = this.file.read(probe.bytes, 0, Math.min(probe.bytes.length, size), 0)
    if (got < 80) {
      this.error(
        RANK_KIND,
        `not an etcd snapshot: the file is ${size} bytes, too short for a bbolt meta page (an etcd snapshot is a bbolt database)`
      )
      return null
    }
    const pageSize = this.guessPageSize(probe, got)
    const m0 = parseMeta(probe, 0, 0, pageSize)
    const m1 = got >= pageSize + 80 ? parseMeta(probe, pageSize, 1, pageSize) : null
    if (m0.magic !== MAGIC && (m1 === null || m1.magic !== MAGIC)) {
      this.error(
        RANK_KIND,
        `not a bbolt database, so not an etcd snapshot: bytes 16..19 are ${hexU32(m0.magic)}, not bbolt's magic 0xed0cdaed${m1 ? ` (nor at byte ${pageSize + 16})` : ''}`
      )
      return null
    }
    for (const p of m0.problems) this.error(RANK_META, p)
    if (m1) for (const p of m1.problems) this.error(RANK_META, p)
    else this.error(RANK_META, `meta page 1 (byte ${pageSize}): cut off by the end of the file`)
    const ok0 = m0.problems.length === 0
    const ok1 = m1 !== null && m1.problems.length === 0
    if (ok0 && ok1 && size % SNAPSHOT_BLOCK !== 0) {
      const mismatch = compareMetas(m0, m1!)
      if (mismatch) this.error(RANK_META, mismatch)
    }
    // bbolt opens a database with the valid meta page of the higher txid: the last committed transaction.
    const meta = ok0 && ok1 ? (m1!.txid > m0.txid ? m1! : m0) : ok0 ? m0 : ok1 ? m1 : null
    if (!meta) return null
    this.pageSize = meta.pageSize
    this.totalSize = meta.hwm * meta.pageSize
    return meta
  }

  /**
   * The page size meta 0 declares; when that field is damaged, the size at which meta page 1 is found intact (bbolt
   * itself falls back to meta 1 the same way), else 4096.
   */
  private guessPageSize(probe: PageBuffer, got: number): number {
    const declared = probe.view.getUint32(24, true)
    if (isValidPageSize(declared)) return declared
    for (let ps = 512; ps <= 65536; ps *= 2) {
      if (got >= ps + 80 && parseMeta(probe, ps, 1, ps).problems.length === 0) return ps
    }
    return 4096
  }

  private collectTopBuckets(page: LeafPage, tops: TopBucket[]): void {
    const bytes = page.buf.bytes
    for (let i = 0; i < page.count; i++) {
      const k = page.keyOff[i]!
      const kLen = page.keyLen[i]!
      const vLen = page.valLen[i]!
      const name = Buffer.from(bytes.buffer, bytes.byteOffset + k, kLen).toString('latin1')
      if (page.flags[i] !== BUCKET_LEAF_FLAG)
        throw new VerificationError(`root bucket ${page.where(i)}: entry ${quoted(name)} is not a bucket`)
      if (vLen < BUCKET_HEADER_SIZE)
        throw new VerificationError(
          `root bucket ${page.where(i)}: bucket ${name} header is ${vLen} bytes, expected at least 16`
        )
      const v = k + kLen
      const root = readU64(page.buf.view, v)
      const top: TopBucket = {
        name,
        where: page.where(i),
        nameBytes: bytes.slice(k, k + kLen),
        root,
        inline: null,
        inlineLength: 0,
        inlineFileOffset: page.fileOffset + v
      }
      if (root === 0) {
        // bbolt inlines a bucket only while its page fits in a quarter page (Bucket.inlineable).
        if (vLen - BUCKET_HEADER_SIZE > this.pageSize / 4)
          throw new VerificationError(
            `root bucket ${page.where(i)}: bucket ${name} is inline in ${vLen - BUCKET_HEADER_SIZE} bytes, more than the ${this.pageSize / 4} bbolt inlines`
          )
        const copy = new PageBuffer(vLen)
        copy.bytes.set(bytes.subarray(v, v + vLen))
        top.inline = copy
        top.inlineLength = vLen
      } else if (vLen !== BUCKET_HEADER_SIZE) {
        throw new VerificationError(
          `root bucket ${page.where(i)}: bucket ${name} has a root page and ${vLen - BUCKET_HEADER_SIZE} extra bytes`
        )
      }
      tops.push(top)
    }
  }

  private async walkBucket(
    db: BoltFile,
    top: TopBucket,
    visit: (page: LeafPage) => void,
    range: KeyRange = {}
  ): Promise<void> {
    if (top.inline) {
      decodeInlinePage(top.inline, BUCKET_HEADER_SIZE, top.inlineLength, top.inlineFileOffset, top.name, this.leaf)
      visit(this.leaf)
      return
    }
    const walk = new TreeWalk(db, top.name, top.root, visit, range)
    while (!walk.step(STEP_PAGES)) await this.maybeYield()
  }

  /**
   * Split mode: first the entries above the compact revision (a CRC stream of their own, from register 0), then the
   * compacted survivors below them; the status register is then composed as survivors followed by the rest.
   */
  private async walkKeyBucketSplit(db: BoltFile, top: TopBucket, compact: number, hashCompact: number): Promise<void> {
    const keyspace = this.keyspace!
    const status = this.status
    const split = revisionKeyBytes(compact + 1)
    const path = new Map<number, number>()
    let reg = 0
    let length = 0
    this.hashKv!.begin(0)
    await this.walkBucket(
      db,
      top,
      page => {
        const bytes = page.buf.bytes
        const words = page.buf.words
        for (let i = page.lo; i < page.hi; i++) {
          const k = page.keyOff[i]!
          const n = page.keyLen[i]! + page.valLen[i]!
          const after = crc32cUpdate(reg, bytes, words, k, k + n)
          keyspace.entry(page, i, reg, after)
          reg = after
          length += n
        }
      },
      { split, side: 'above', path }
    )
    keyspace.finish()
    let pre = status.register
    keyspace.beginSurvivors(pre, KEY_BUCKET_NAME_REGISTER)
    await this.walkBucket(
      db,
      top,
      page => {
        const bytes = page.buf.bytes
        const words = page.buf.words
        for (let i = page.lo; i < page.hi; i++) {
          const k = page.keyOff[i]!
          const after = crc32cUpdate(pre, bytes, words, k, k + page.keyLen[i]! + page.valLen[i]!)
          keyspace.survivor(page, i, pre, after, hashCompact)
          pre = after
        }
      },
      { split, side: 'below', path }
    )
    this.survivors = keyspace.finishSurvivors()
    status.register = crc32cShift(pre, length) ^ reg
    status.totalKey += keyspace.entries
  }

  private keyPage(page: LeafPage): void {
    const bytes = page.buf.bytes
    const words = page.buf.words
    const keyspace = this.keyspace!
    const status = this.status
    let reg = status.register
    for (let i = 0; i < page.count; i++) {
      const k = page.keyOff[i]!
      const after = crc32cUpdate(reg, bytes, words, k, k + page.keyLen[i]! + page.valLen[i]!)
      keyspace.entry(page, i, reg, after)
      reg = after
    }
    status.register = reg
    status.totalKey += page.count
  }

  private bookkeeping(page: LeafPage, i: number): void {
    if (page.flags[i] !== 0) {
      this.error(RANK_STRUCTURE, `bucket "${page.bucket}" ${page.where(i)}: nested bucket (etcd has none)`)
      return
    }
    const k = page.keyOff[i]!
    const kLen = page.keyLen[i]!
    const problem = checkBookkeepingEntry(page.bucket, page.buf.bytes, k, kLen, k + kLen, page.valLen[i]!, this.facts)
    if (problem) this.error(RANK_STRUCTURE, `bucket "${page.bucket}" ${page.where(i)}: ${problem}`)
  }

  private report(dataSha256: string, trailer: string): SnapshotReport {
    const keyspace = this.keyspace
    const liveKeys = keyspace?.liveKeys ?? 0
    const snapshotRevision = keyspace?.lastMain ?? 0
    const m = this.facts.meta
    const compactRevision = Math.max(m.scheduledCompactRevision ?? -1, m.finishedCompactRevision ?? -1)
    const kubernetes = this.kubernetes.inventory()

    let hashKV: HashKvResult | undefined
    const recorder = this.hashKv
    if (recorder && keyspace && this.keyBucketClean) {
      const revision = this.opts.hashRevision ?? snapshotRevision
      if (recorder.compactRevision >= 0 && revision <= recorder.compactRevision) {
        this.warnings.push(
          `HashKV not computed: revision ${revision} is at or below the compact revision ${recorder.compactRevision}`
        )
      } else if (revision > snapshotRevision && this.opts.hashRevision !== undefined) {
        this.warnings.push(`HashKV not computed: revision ${revision} is newer than the snapshot's ${snapshotRevision}`)
      } else {
        const keepIsEmpty = keyspace.liveAtHashRevision === 0
        const pre = this.survivors
        if (!pre) hashKV = recorder.finish(keepIsEmpty, revision)
        else {
          // Split mode: the survivors come first in etcd's stream; the recorder holds what follows them.
          const initial = keepIsEmpty ? pre.hashKeepEmpty : pre.hash
          hashKV = recorder.finish(keepIsEmpty, revision, initial)
        }
      }
    }

    if (this.errors.length === 0 || this.errors.every(e => e.rank === RANK_POLICY)) {
      const tooFew = tooFewKeys(liveKeys, this.opts.minKeys ?? 0, 'the minimum')
      if (tooFew) this.error(RANK_POLICY, tooFew)
      for (const prefix of this.required.missing()) {
        this.error(RANK_POLICY, `no live key under required prefix ${quoted(prefix)}`)
      }
    }
    if (kubernetes.secrets.plaintext > 0) {
      this.warnings.push(
        `${kubernetes.secrets.plaintext} of ${kubernetes.secrets.total} Secrets are stored unencrypted: anyone who can decrypt this backup can read them (configure encryption at rest in the API server)`
      )
    }

    const ordered = this.errors
      .map((e, i) => ({ ...e, i }))
      .sort((a, b) => a.rank - b.rank || a.i - b.i)
      .map(e => e.message)
    const pages = this.pageMap
    return {
      valid: ordered.length === 0,
      errors: ordered,
      warnings: this.warnings,
      path: this.file.path,
      size: this.file.size,
      sha256: trailer,
      dataSha256,
      pageSize: this.pageSize,
      status: {
        hash: this.status.hash,
        revision: snapshotRevision,
        totalKey: this.status.totalKey,
        totalSize: this.totalSize
      },
      liveKeys,
      keyRevisions: keyspace?.entries ?? 0,
      compactRevision,
      compactionFinished: m.scheduledCompactRevision === m.finishedCompactRevision,
      ...(hashKV ? { hashKV } : {}),
      ...(m.consistentIndex !== undefined ? { consistentIndex: m.consistentIndex } : {}),
      ...(m.term !== undefined ? { term: m.term } : {}),
      ...(this.facts.clusterVersion !== undefined ? { clusterVersion: this.facts.clusterVersion } : {}),
      ...(m.storageVersion !== undefined ? { storageVersion: m.storageVersion } : {}),
      authEnabled: this.facts.authEnabled === true,
      buckets: this.buckets,
      leases: this.facts.leases,
      members: this.facts.members,
      pages: {
        total: pages?.hwm ?? 0,
        tree: pages ? pages.count(PAGE_TREE) + pages.count(PAGE_OVERFLOW) : 0,
        free: pages?.count(PAGE_FREE) ?? 0,
        freelist: pages?.count(PAGE_FREELIST) ?? 0
      },
      kubernetes,
      requiredKeys: this.required.required.map((prefix, i) => ({ prefix, liveKeys: this.required.counts[i]! }))
    }
  }
}

/**
 * etcd's HashKV (`etcdctl endpoint hashkv --rev=<revision>`) computed from a snapshot. `compactRevision` is the live
 * member's, when it compacted after the snapshot was saved. Throws VerificationError when the snapshot is damaged
 * or the revision cannot be hashed (compacted, or newer than the snapshot).
 */
export async function hashKV(
  path: string,
  revision: number,
  opts: { compactRevision?: number } = {}
): Promise<HashKvResult> {
  const report = await verifySnapshot(path, { hashRevision: revision, ...opts })
  if (!report.valid) throw new VerificationError(`cannot compute HashKV of ${path}: ${report.errors[0]}`)
  if (!report.hashKV)
    throw new VerificationError(report.warnings.find(w => w.startsWith('HashKV')) ?? `HashKV of ${path} not computed`)
  return report.hashKV
}

/** The min-keys rule, for the verifier and the backup's gate: `minimumName` is how the caller names the minimum. */
export function tooFewKeys(liveKeys: number, minKeys: number, minimumName: string): string | undefined {
  if (liveKeys >= minKeys) return undefined
  return `snapshot holds ${liveKeys} live keys, fewer than ${minimumName} ${minKeys}; is this the right cluster?`
}
