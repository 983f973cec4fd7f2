/**
 * The bbolt file format as etcd's snapshots hold it: meta pages, the page graph of each bucket's B+tree, the freelist,
 * and the accounting of every page below the high-water mark. Everything is checked as strictly as bbolt writes it
 * (elements packed right after the element array, overflow exactly what the node needed, a branch key equal to its
 * child's first key), so a flipped byte in any structural field is caught.
 *
 * Layout (little-endian): page header {id u64, flags u16, count u16, overflow u32}; branch element {pos u32,
 * ksize u32, pgid u64}; leaf element {flags u32, pos u32, ksize u32, vsize u32}; pos is relative to the element.
 */
import { VerificationError } from '../errors.js'
import { PageBuffer, type SnapshotFile } from './reader.js'

export const PAGE_HEADER_SIZE = 16
export const ELEMENT_SIZE = 16
export const BUCKET_HEADER_SIZE = 16
export const BRANCH_PAGE = 0x01
export const LEAF_PAGE = 0x02
export const META_PAGE = 0x04
export const FREELIST_PAGE = 0x10
export const BUCKET_LEAF_FLAG = 0x01
export const MAGIC = 0xed0cdaed
export const FORMAT_VERSION = 2
/** bbolt's MaxKeySize and MaxValueSize. */
export const MAX_KEY_SIZE = 32768
export const MAX_VALUE_SIZE = 0x7ffffffe
/** No real B+tree gets near this; it bounds the memory a hostile file can make us hold. */
const MAX_TREE_DEPTH = 64
/**
 * The most one page with its overflow may span: etcd's request limit (1.5 MiB by default) keeps a value to
 * megabytes, and bbolt puts at most a few large values on a page. bbolt's own limit is 2 GiB, so a hostile file could
 * otherwise make the verifier hold a gigabyte per level of its tree.
 */
export const MAX_PAGE_SPAN = 32 * 1024 * 1024
/** The most all pages on a walk's current root-to-leaf path may hold at once (the rest of a walk holds little). */
export const MAX_PATH_BYTES = 48 * 1024 * 1024
/** A frame buffer larger than this is dropped when the walk leaves its page. */
const RELEASE_ABOVE = 1024 * 1024
/** bbolt stores at most 0xFFFF elements per page (the count field). */
const MAX_ELEMENTS = 0xffff

/** Thrown for any structural damage; verify.ts turns it into a report error. */
export function corrupt(message: string): never {
  throw new VerificationError(message)
}

const MIB = 1024 * 1024

/** A u64 little-endian field in decimal, exactly: for messages, where readU64's -1 would mislead. */
export function u64Text(view: DataView, off: number): string {
  return view.getBigUint64(off, true).toString()
}

/** u64 little-endian as a JS number, or -1 when it does not fit in 2^53 (no valid page id or txid does). */
export function readU64(view: DataView, off: number): number {
  const lo = view.getUint32(off, true)
  const hi = view.getUint32(off + 4, true)
  if (hi >= 0x200000) return -1
  return hi * 0x100000000 + lo
}

function isAllOnes64(view: DataView, off: number): boolean {
  return view.getUint32(off, true) === 0xffffffff && view.getUint32(off + 4, true) === 0xffffffff
}

export function hexU32(n: number): string {
  return `0x${(n >>> 0).toString(16).padStart(8, '0')}`
}

// ---------------------------------------------------------------------------------------------------------------
// Meta pages

export interface Meta {
  /** Which meta page (0 or 1). */
  index: number
  magic: number
  version: number
  pageSize: number
  flags: number
  root: number
  rootSequence: bigint
  /** -1 when the freelist is not synced to disk (bbolt's pgidNoFreelist). */
  freelist: number
  hwm: number
  txid: number
  checksum: bigint
  /** Problems found in this meta page alone, each a complete message. */
  problems: string[]
}

/** FNV-1a 64 over the 56 meta bytes before the checksum field, as bbolt's meta.sum64. */
function metaChecksum(bytes: Uint8Array, off: number): bigint {
  let h = 0xcbf29ce484222325n
  for (let i = 0; i < 56; i++) {
    h ^= BigInt(bytes[off + i]!)
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn
  }
  return h
}

/** Parse the meta at page `index` (bytes[pageStart..]); `pageSize` is the one meta 0 declares (or the default). */
export function parseMeta(buf: PageBuffer, pageStart: number, index: number, pageSize: number): Meta {
  const view = buf.view
  const m = pageStart + PAGE_HEADER_SIZE
  const where = `meta page ${index} (byte ${pageStart})`
  const problems: string[] = []
  const id = readU64(view, pageStart)
  const flags = view.getUint16(pageStart + 8, true)
  const count = view.getUint16(pageStart + 10, true)
  const overflow = view.getUint32(pageStart + 12, true)
  if (id !== index) problems.push(`${where}: page header id is ${u64Text(view, pageStart)}, expected ${index}`)
  if (flags !== META_PAGE) problems.push(`${where}: page flags ${hexU32(flags)}, expected meta (0x04)`)
  if (count !== 0 || overflow !== 0)
    problems.push(`${where}: page header count/overflow ${count}/${overflow}, expected 0/0`)
  const meta: Meta = {
    index,
    magic: view.getUint32(m, true),
    version: view.getUint32(m + 4, true),
    pageSize: view.getUint32(m + 8, true),
    flags: view.getUint32(m + 12, true),
    root: readU64(view, m + 16),
    rootSequence: view.getBigUint64(m + 24, true),
    freelist: isAllOnes64(view, m + 32) ? -1 : readU64(view, m + 32),
    hwm: readU64(view, m + 40),
    txid: readU64(view, m + 48),
    checksum: view.getBigUint64(m + 56, true),
    problems
  }
  if (meta.magic !== MAGIC)
    problems.push(`${where}: magic ${hexU32(meta.magic)} at byte ${m}, expected 0xed0cdaed (not a bbolt file)`)
  if (meta.version !== FORMAT_VERSION)
    problems.push(`${where}: format version ${meta.version} at byte ${m + 4}, expected 2`)
  const sum = metaChecksum(buf.bytes, m)
  if (sum !== meta.checksum) {
    problems.push(
      `${where}: checksum ${meta.checksum.toString(16)} at byte ${m + 56} does not match FNV-1a of the meta fields (${sum.toString(16)})`
    )
  }
  if (!isValidPageSize(meta.pageSize))
    problems.push(`${where}: page size ${meta.pageSize} at byte ${m + 8} is not a power of two in 512..65536`)
  else if (meta.pageSize !== pageSize)
    problems.push(`${where}: page size ${meta.pageSize} differs from meta page 0's ${pageSize}`)
  if (meta.flags !== 0) problems.push(`${where}: meta flags ${hexU32(meta.flags)} at byte ${m + 12}, expected 0`)
  if (meta.root < 0) problems.push(`${where}: root page id at byte ${m + 16} is out of range`)
  if (meta.freelist < -1) problems.push(`${where}: freelist page id at byte ${m + 32} is out of range`)
  if (meta.hwm < 0) problems.push(`${where}: high-water mark at byte ${m + 40} is out of range`)
  if (meta.txid < 0) problems.push(`${where}: txid at byte ${m + 48} is out of range`)
  if (meta.hwm >= 0 && meta.hwm < 3)
    problems.push(`${where}: high-water mark ${meta.hwm} leaves no room for a root page`)
  if (meta.hwm >= 0) {
    if (meta.root >= 0 && (meta.root < 2 || meta.root >= meta.hwm)) {
      problems.push(`${where}: root page ${meta.root} (byte ${m + 16}) is outside 2..${meta.hwm - 1}`)
    }
    if (meta.freelist >= 0 && (meta.freelist < 2 || meta.freelist >= meta.hwm)) {
      problems.push(`${where}: freelist page ${meta.freelist} (byte ${m + 32}) is outside 2..${meta.hwm - 1}`)
    }
  }
  // bbolt's WriteTo builds each meta page in a zeroed buffer: anything after the meta fields is damage.
  const pageEnd =
    pageStart + Math.min(isValidPageSize(meta.pageSize) ? meta.pageSize : pageSize, buf.bytes.length - pageStart)
  for (let i = m + 64; i < pageEnd; i++) {
    if (buf.bytes[i] !== 0) {
      problems.push(`${where}: byte ${i} after the meta fields is ${buf.bytes[i]}, expected 0`)
      break
    }
  }
  return meta
}

export function isValidPageSize(n: number): boolean {
  return n >= 512 && n <= 65536 && (n & (n - 1)) === 0
}

/**
 * etcd writes a snapshot with bbolt's Tx.WriteTo: meta 0 and meta 1 hold the same fields, meta 1 with txid one lower.
 * Returns the first inconsistency, or ''.
 */
export function compareMetas(m0: Meta, m1: Meta): string {
  const at = (field: number): string => `meta page 1 (byte ${m1.pageSize + PAGE_HEADER_SIZE + field})`
  const fields: [string, number, unknown, unknown][] = [
    ['root page', 16, m0.root, m1.root],
    ['root sequence', 24, m0.rootSequence, m1.rootSequence],
    ['freelist page', 32, m0.freelist, m1.freelist],
    ['high-water mark', 40, m0.hwm, m1.hwm]
  ]
  for (const [name, off, a, b] of fields) {
    if (a !== b)
      return `${at(off)}: ${name} ${String(b)} differs from meta page 0's ${String(a)}; a snapshot writes both from one transaction`
  }
  if (m1.txid !== m0.txid - 1) {
    return `${at(48)}: txid ${m1.txid} is not meta page 0's txid ${m0.txid} minus 1, as a snapshot writes them`
  }
  return ''
}

// ---------------------------------------------------------------------------------------------------------------
// Page accounting: every page below the high-water mark is used exactly once (tree, freelist, or free).

export const PAGE_UNSEEN = 0
export const PAGE_META = 1
export const PAGE_FREELIST = 2
export const PAGE_FREE = 3
export const PAGE_TREE = 4
export const PAGE_OVERFLOW = 5

/**
 * One bit per page below the high-water mark (claimed or not) and a count per role: a byte per page would let a sparse
 * file of 512-byte pages make the verifier hold 1/512 of its size; a bit holds 1/4096, and 1/32768 at etcd's 4 KiB.
 */
export class PageMap {
  private readonly used: Uint8Array
  private readonly counts = [0, 0, 0, 0, 0, 0]

  constructor(readonly hwm: number) {
    this.used = new Uint8Array(Math.ceil(hwm / 8))
    this.used[0] = 0b11
    this.counts[PAGE_META] = Math.min(2, hwm)
  }

  /** Claim pages [first, first+count) for a role; a page claimed twice is damage. */
  claim(first: number, count: number, role: number, what: string): void {
    for (let i = 0; i < count; i++) {
      const id = first + i
      const byte = Math.floor(id / 8)
      const bit = 1 << (id % 8)
      if ((this.used[byte]! & bit) !== 0) {
        corrupt(`page ${id}: ${what} uses a page that is already in use (a page referenced twice)`)
      }
      this.used[byte]! |= bit
      this.counts[i === 0 ? role : role === PAGE_TREE ? PAGE_OVERFLOW : role]!++
    }
  }

  /** First page that is neither reachable nor free, or -1. */
  firstUnaccounted(): number {
    for (let byte = 0; byte < this.used.length; byte++) {
      const v = this.used[byte]!
      if (v === 0xff) continue
      for (let bit = 0; bit < 8; bit++) {
        const id = byte * 8 + bit
        if (id >= this.hwm) return -1
        if ((v & (1 << bit)) === 0) return id
      }
    }
    return -1
  }

  count(role: number): number {
    return this.counts[role] ?? 0
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Pages

/** What the walk shares: the file, its geometry and the page map. */
export interface BoltFile {
  file: SnapshotFile
  pageSize: number
  hwm: number
  /** Pages actually present in the file's data area (may be fewer than hwm in a damaged file). */
  pagesInFile: number
  pages: PageMap
}

function pageOffset(db: BoltFile, pgid: number): number {
  return pgid * db.pageSize
}

/**
 * Read page `pgid` with all its overflow pages into `buf` (from byte 0). Checks the id is in range, the header id,
 * and that the overflow stays below the high-water mark. Returns the overflow count.
 */
function readPage(db: BoltFile, buf: PageBuffer, pgid: number, referrer: string, held = 0): number {
  if (pgid < 2 || pgid >= db.hwm)
    corrupt(
      `${referrer} points to page ${pgid < 0 ? 'id 2^53 or more' : pgid}, outside the data pages 2..${db.hwm - 1}`
    )
  if (pgid >= db.pagesInFile)
    corrupt(`${referrer} points to page ${pgid} (byte ${pageOffset(db, pgid)}), beyond the end of the file`)
  const ps = db.pageSize
  buf.ensure(ps)
  const pos = pageOffset(db, pgid)
  if (db.file.read(buf.bytes, 0, ps, pos) < ps)
    corrupt(`page ${pgid} (byte ${pos}) is cut short by the end of the file`)
  const id = readU64(buf.view, 0)
  if (id !== pgid)
    corrupt(`page ${pgid} (byte ${pos}): header says page id ${u64Text(buf.view, 0)}, expected ${pgid} (${referrer})`)
  const overflow = buf.view.getUint32(12, true)
  if (overflow > 0) {
    if (pgid + overflow >= db.hwm) {
      corrupt(`page ${pgid} (byte ${pos + 12}): overflow ${overflow} runs past the high-water mark ${db.hwm}`)
    }
    if (pgid + overflow >= db.pagesInFile)
      corrupt(`page ${pgid} (byte ${pos + 12}): overflow ${overflow} runs past the end of the file`)
    const total = (overflow + 1) * ps
    // Before allocating for the overflow, check it against what the elements say the page holds (bbolt allocates
    // exactly that), so a damaged overflow or size field cannot make us hold gigabytes.
    const need = packedSize(buf.view, ps)
    if (need >= 0 && Math.ceil(need / ps) - 1 !== overflow) {
      corrupt(
        `page ${pgid} (byte ${pos + 12}): overflow is ${overflow} but its elements need ${Math.ceil(need / ps) - 1}`
      )
    }
    if (total > MAX_PAGE_SPAN)
      corrupt(
        `page ${pgid} (byte ${pos + 12}): with its overflow the page spans ${total} bytes, more than the ${MAX_PAGE_SPAN / MIB} MiB the verifier reads as one page (etcd writes pages this large only for values of many megabytes)`
      )
    if (held + total > MAX_PATH_BYTES)
      corrupt(
        `page ${pgid} (byte ${pos + 12}): with its overflow the page spans ${total} bytes; with the ${held} bytes of the pages above it that is more than the ${MAX_PATH_BYTES / MIB} MiB the verifier holds at once`
      )
    buf.ensure(total, ps)
    if (db.file.read(buf.bytes, ps, total - ps, pos + ps) < total - ps) {
      corrupt(`page ${pgid} (byte ${pos}): its overflow pages are cut short by the end of the file`)
    }
  }
  return overflow
}

/**
 * The size of a branch or leaf page's header, elements and packed data, from its element array in the first page;
 * -1 when that cannot be told from the first page (other flags, or an element array longer than a page).
 */
function packedSize(view: DataView, ps: number): number {
  const flags = view.getUint16(8, true)
  const count = view.getUint16(10, true)
  if ((flags !== LEAF_PAGE && flags !== BRANCH_PAGE) || PAGE_HEADER_SIZE + ELEMENT_SIZE * count > ps) return -1
  let size = PAGE_HEADER_SIZE + ELEMENT_SIZE * count
  for (let i = 0; i < count; i++) {
    const e = PAGE_HEADER_SIZE + ELEMENT_SIZE * i
    size +=
      flags === LEAF_PAGE ? view.getUint32(e + 8, true) + view.getUint32(e + 12, true) : view.getUint32(e + 4, true)
  }
  return size
}

/** Byte-wise comparison, like bytes.Compare. */
export function compareBytes(
  a: Uint8Array,
  aOff: number,
  aLen: number,
  b: Uint8Array,
  bOff: number,
  bLen: number
): number {
  const n = aLen < bLen ? aLen : bLen
  for (let i = 0; i < n; i++) {
    const d = a[aOff + i]! - b[bOff + i]!
    if (d !== 0) return d
  }
  return aLen - bLen
}

/** A decoded leaf page (a real page or an inline bucket's page); element data is in `buf.bytes`. */
export class LeafPage {
  buf: PageBuffer = new PageBuffer(16)
  /** 0 for an inline page. */
  pgid = 0
  /** File position of buf.bytes[0], for messages. */
  fileOffset = 0
  /** The bucket this page belongs to, for messages. */
  bucket = ''
  count = 0
  flags = new Uint8Array(256)
  keyOff = new Int32Array(256)
  keyLen = new Int32Array(256)
  valLen = new Int32Array(256)
  /** The packed key/value bytes of all elements, in order: [dataStart, dataEnd). */
  dataStart = 0
  dataEnd = 0
  /** Elements [lo, hi) lie in the walk's key range (all of them unless the walk has one). */
  lo = 0
  hi = 0

  /** "page 12 element 3 (byte 49230)" — where element i's key is. */
  where(i: number): string {
    const byte = this.fileOffset + this.keyOff[i]!
    const page = this.pgid === 0 ? `inline page of bucket "${this.bucket}"` : `page ${this.pgid}`
    return `${page} element ${i} (byte ${byte})`
  }

  valueOffset(i: number): number {
    return this.keyOff[i]! + this.keyLen[i]!
  }

  /** Room for `count` elements. */
  reserve(count: number): void {
    if (count <= this.keyOff.length) return
    const n = Math.min(MAX_ELEMENTS, Math.max(count, this.keyOff.length * 2))
    this.flags = new Uint8Array(n)
    this.keyOff = new Int32Array(n)
    this.keyLen = new Int32Array(n)
    this.valLen = new Int32Array(n)
  }
}

/** Branch page contents kept while its children are visited. */
class BranchFrame {
  buf = new PageBuffer(4096)
  pgid = 0
  count = 0
  next = 0
  /** Last child index to visit (count - 1 unless the walk has a key range). */
  last = 0
  /** On the path to the split key: the index of the child holding it; else -1. */
  pathIndex = -1
  keyOff = new Int32Array(256)
  keyLen = new Int32Array(256)
  child = new Float64Array(256)

  reserve(count: number): void {
    if (count <= this.keyOff.length) return
    const n = Math.min(MAX_ELEMENTS, Math.max(count, this.keyOff.length * 2))
    this.keyOff = new Int32Array(n)
    this.keyLen = new Int32Array(n)
    this.child = new Float64Array(n)
  }
}

/**
 * Check the element array of a page held in bytes[base, limit) and record element positions. bbolt writes the
 * key/value data packed in element order right after the element array, so every pos must land exactly where the
 * previous element's data ended. Returns the end of the packed data (relative to base).
 */
function decodeElements(
  bytes: Uint8Array,
  view: DataView,
  base: number,
  limit: number,
  count: number,
  isLeaf: boolean,
  here: (i: number) => string,
  keyOff: Int32Array,
  keyLen: Int32Array,
  valLen: Int32Array | null,
  flags: Uint8Array | null,
  child: Float64Array | null
): number {
  let expected = PAGE_HEADER_SIZE + ELEMENT_SIZE * count
  if (base + expected > limit) corrupt(`${here(-1)}: ${count} elements do not fit in the page`)
  for (let i = 0; i < count; i++) {
    const e = base + PAGE_HEADER_SIZE + ELEMENT_SIZE * i
    let pos: number, ksize: number, vsize: number
    if (isLeaf) {
      const f = view.getUint32(e, true)
      if (f !== 0 && f !== BUCKET_LEAF_FLAG)
        corrupt(`${here(i)}: leaf element flags ${hexU32(f)} at byte offset ${e - base} of the page, expected 0 or 1`)
      flags![i] = f
      pos = view.getUint32(e + 4, true)
      ksize = view.getUint32(e + 8, true)
      vsize = view.getUint32(e + 12, true)
      valLen![i] = vsize
    } else {
      pos = view.getUint32(e, true)
      ksize = view.getUint32(e + 4, true)
      vsize = 0
      const pg = readU64(view, e + 8)
      child![i] = pg
    }
    if (e - base + pos !== expected) {
      corrupt(
        `${here(i)}: element data position ${pos} does not follow the previous element's data (packed layout broken)`
      )
    }
    if (ksize === 0) corrupt(`${here(i)}: empty key`)
    if (ksize > MAX_KEY_SIZE) corrupt(`${here(i)}: key size ${ksize} exceeds bbolt's maximum ${MAX_KEY_SIZE}`)
    if (vsize > MAX_VALUE_SIZE) corrupt(`${here(i)}: value size ${vsize} exceeds bbolt's maximum`)
    keyOff[i] = base + expected
    keyLen[i] = ksize
    expected += ksize + vsize
    if (base + expected > limit)
      corrupt(`${here(i)}: key/value (${ksize}+${vsize} bytes) runs past the end of the page`)
  }
  // Keys strictly increasing within the page.
  for (let i = 1; i < count; i++) {
    if (compareBytes(bytes, keyOff[i - 1]!, keyLen[i - 1]!, bytes, keyOff[i]!, keyLen[i]!) >= 0) {
      corrupt(`${here(i)}: key is not greater than the previous key on the page (keys out of order)`)
    }
  }
  return expected
}

/** Called for each leaf page of a bucket, in key order. */
export type LeafVisitor = (page: LeafPage) => void

/**
 * Decode an inline bucket's page: bucket value bytes[valueStart, valueEnd) = 16-byte bucket header + a leaf page
 * exactly as large as its contents.
 */
export function decodeInlinePage(
  bytes: PageBuffer,
  pageStart: number,
  pageEnd: number,
  fileOffset: number,
  bucket: string,
  out: LeafPage
): void {
  const view = bytes.view
  out.buf = bytes
  out.pgid = 0
  out.fileOffset = fileOffset
  out.bucket = bucket
  const where = `inline page of bucket "${bucket}" (byte ${fileOffset + pageStart})`
  if (pageEnd - pageStart < PAGE_HEADER_SIZE)
    corrupt(`${where}: ${pageEnd - pageStart} bytes, too short for a page header`)
  const id = readU64(view, pageStart)
  const flags = view.getUint16(pageStart + 8, true)
  const count = view.getUint16(pageStart + 10, true)
  const overflow = view.getUint32(pageStart + 12, true)
  if (id !== 0) corrupt(`${where}: page id ${u64Text(view, pageStart)}, expected 0 for an inline page`)
  if (flags !== LEAF_PAGE) corrupt(`${where}: page flags ${hexU32(flags)}, expected leaf (0x02)`)
  if (overflow !== 0) corrupt(`${where}: overflow ${overflow}, expected 0`)
  out.reserve(count)
  out.count = count
  const here = (i: number): string => (i < 0 ? where : out.where(i))
  const end = decodeElements(
    bytes.bytes,
    view,
    pageStart,
    pageEnd,
    count,
    true,
    here,
    out.keyOff,
    out.keyLen,
    out.valLen,
    out.flags,
    null
  )
  if (pageStart + end !== pageEnd)
    corrupt(`${where}: ${pageEnd - pageStart - end} bytes after the last element (bucket value is the wrong size)`)
  for (let i = 0; i < count; i++) {
    if (out.flags[i] !== 0) corrupt(`${out.where(i)}: an inline bucket cannot hold a nested bucket`)
  }
  out.dataStart = pageStart + PAGE_HEADER_SIZE + ELEMENT_SIZE * count
  out.dataEnd = pageStart + end
  out.lo = 0
  out.hi = count
}

/**
 * Walking a bucket in two pieces split at a key: the 'above' walk visits keys >= split, the 'below' walk keys below
 * it. Which children each walk takes is decided structurally, not by comparing every key: off the path from the
 * root to the split key both walks take every child, so a damaged key can never hide a subtree from both. The
 * 'above' walk records the path (page id → index of the child holding the split key, -1 for the leaf); the 'below'
 * walk follows it and does not count those pages a second time.
 */
export interface KeyRange {
  split?: Uint8Array
  side?: 'above' | 'below'
  path?: Map<number, number>
}

/**
 * Walks one bucket's B+tree from its root page in key order, checking every page and handing leaf pages to the
 * visitor. Resumable: `step(budget)` visits at most `budget` pages so callers can yield to the event loop.
 */
export class TreeWalk {
  private readonly frames: BranchFrame[] = []
  private depth = -1
  private started = false
  private readonly leaf = new LeafPage()
  /** The last key seen in this bucket (for order across leaf pages). */
  private prevKey = new Uint8Array(64)
  private prevKeyLen = -1
  pagesVisited = 0
  leafPages = 0
  branchPages = 0

  constructor(
    private readonly db: BoltFile,
    private readonly bucket: string,
    private readonly root: number,
    private readonly visit: LeafVisitor,
    private readonly range: KeyRange = {}
  ) {}

  /** Visit up to `budget` pages; true once the whole tree is done. */
  step(budget: number): boolean {
    if (!this.started) {
      this.started = true
      this.load(this.root, null, 0, `bucket "${this.bucket}"`)
      budget--
    }
    while (this.depth >= 0) {
      if (budget-- <= 0) return false
      const top = this.frames[this.depth]!
      if (top.next > top.last) {
        this.release(this.depth + 1)
        this.depth--
        continue
      }
      const i = top.next++
      const child = top.child[i]!
      this.load(child, top, i, `branch page ${top.pgid} element ${i}`)
    }
    return true
  }

  /** A page with overflow leaves its frame's buffer large: give that back once the walk is above it. */
  private release(depth: number): void {
    const frame = this.frames[depth]
    if (frame && frame.buf.bytes.length > RELEASE_ABOVE) frame.buf = new PageBuffer(this.db.pageSize)
  }

  /** Number of the (sorted) keys that are below `key` (or at most `key`, with orEqual). */
  private countBefore(
    bytes: Uint8Array,
    off: Int32Array,
    len: Int32Array,
    count: number,
    key: Uint8Array,
    orEqual: boolean
  ): number {
    let lo = 0
    let hi = count
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      const c = compareBytes(bytes, off[mid]!, len[mid]!, key, 0, key.length)
      if (c < 0 || (orEqual && c === 0)) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  private frame(depth: number): BranchFrame {
    let f = this.frames[depth]
    if (!f) {
      f = new BranchFrame()
      this.frames[depth] = f
    }
    return f
  }

  private load(pgid: number, parent: BranchFrame | null, parentIndex: number, referrer: string): void {
    const depth = this.depth + 1
    if (depth >= MAX_TREE_DEPTH)
      corrupt(
        `bucket "${this.bucket}": B+tree deeper than ${MAX_TREE_DEPTH} levels at page ${pgid} (a cycle or garbage page ids)`
      )
    const frame = this.frame(depth)
    const buf = frame.buf
    const db = this.db
    let held = 0
    for (let d = 0; d < depth; d++) held += this.frames[d]!.buf.bytes.length
    const overflow = readPage(db, buf, pgid, referrer, held)
    const { split, side, path } = this.range
    const onPath =
      split !== undefined && (parent === null || (parent.pathIndex >= 0 && parentIndex === parent.pathIndex))
    if (!(side === 'below' && onPath && path?.has(pgid))) {
      db.pages.claim(pgid, overflow + 1, PAGE_TREE, `${referrer} (bucket "${this.bucket}")`)
      this.pagesVisited += overflow + 1
    }
    const view = buf.view
    const flags = view.getUint16(8, true)
    const count = view.getUint16(10, true)
    const pos = pgid * db.pageSize
    const limit = (overflow + 1) * db.pageSize
    if (flags === BRANCH_PAGE) {
      this.branchPages++
      if (count === 0) corrupt(`page ${pgid} (byte ${pos}): branch page with no elements`)
      frame.reserve(count)
      frame.pgid = pgid
      frame.count = count
      frame.next = 0
      const here = (i: number): string =>
        i < 0
          ? `page ${pgid} (byte ${pos})`
          : `page ${pgid} branch element ${i} (byte ${pos + PAGE_HEADER_SIZE + ELEMENT_SIZE * i})`
      const end = decodeElements(
        buf.bytes,
        view,
        0,
        limit,
        count,
        false,
        here,
        frame.keyOff,
        frame.keyLen,
        null,
        null,
        frame.child
      )
      this.checkOverflow(pgid, pos, end, overflow)
      this.checkFirstKey(buf.bytes, frame.keyOff[0]!, frame.keyLen[0]!, parent, parentIndex, pgid, pos)
      frame.next = 0
      frame.last = count - 1
      frame.pathIndex = -1
      if (onPath) {
        // The child holding the split key: the last one whose first key is at or before it.
        let b = path?.get(pgid)
        if (b === undefined) {
          b = Math.max(0, this.countBefore(buf.bytes, frame.keyOff, frame.keyLen, count, split, true) - 1)
          path?.set(pgid, b)
        }
        frame.pathIndex = b
        if (side === 'above') frame.next = b
        else frame.last = b
      }
      this.depth = depth
    } else if (flags === LEAF_PAGE) {
      this.leafPages++
      const leaf = this.leaf
      leaf.buf = buf
      leaf.pgid = pgid
      leaf.fileOffset = pos
      leaf.bucket = this.bucket
      leaf.reserve(count)
      leaf.count = count
      const here = (i: number): string => (i < 0 ? `page ${pgid} (byte ${pos})` : leaf.where(i))
      const end = decodeElements(
        buf.bytes,
        view,
        0,
        limit,
        count,
        true,
        here,
        leaf.keyOff,
        leaf.keyLen,
        leaf.valLen,
        leaf.flags,
        null
      )
      this.checkOverflow(pgid, pos, end, overflow)
      if (count === 0) {
        // Only a bucket's root may be an empty leaf (an empty bucket).
        if (parent) corrupt(`page ${pgid} (byte ${pos}): empty leaf page below branch page ${parent.pgid}`)
      } else {
        this.checkFirstKey(buf.bytes, leaf.keyOff[0]!, leaf.keyLen[0]!, parent, parentIndex, pgid, pos)
        this.checkOrderAcrossPages(buf.bytes, leaf.keyOff[0]!, leaf.keyLen[0]!, pgid, pos)
        const last = count - 1
        this.rememberKey(buf.bytes, leaf.keyOff[last]!, leaf.keyLen[last]!)
      }
      leaf.dataStart = PAGE_HEADER_SIZE + ELEMENT_SIZE * count
      leaf.dataEnd = end
      leaf.lo = 0
      leaf.hi = count
      if (onPath) {
        const at = this.countBefore(buf.bytes, leaf.keyOff, leaf.keyLen, count, split, false)
        if (side === 'above') leaf.lo = at
        else leaf.hi = at
        path?.set(pgid, -1)
      }
      this.visit(leaf)
    } else {
      corrupt(
        `page ${pgid} (byte ${pos + 8}): page flags ${hexU32(flags)}, expected branch (0x01) or leaf (0x02) (${referrer})`
      )
    }
  }

  /** bbolt allocates exactly ceil(size / pageSize) pages for a node. */
  private checkOverflow(pgid: number, pos: number, size: number, overflow: number): void {
    const need = Math.ceil(size / this.db.pageSize) - 1
    if (need !== overflow)
      corrupt(`page ${pgid} (byte ${pos + 12}): overflow is ${overflow} but its ${size} bytes of content need ${need}`)
  }

  /** A branch element's key is its child's first key (bbolt sets it on every spill). */
  private checkFirstKey(
    bytes: Uint8Array,
    off: number,
    len: number,
    parent: BranchFrame | null,
    parentIndex: number,
    pgid: number,
    pos: number
  ): void {
    if (!parent) return
    const pOff = parent.keyOff[parentIndex]!
    const pLen = parent.keyLen[parentIndex]!
    if (compareBytes(parent.buf.bytes, pOff, pLen, bytes, off, len) !== 0) {
      corrupt(
        `page ${parent.pgid} branch element ${parentIndex} (byte ${parent.pgid * this.db.pageSize + pOff}): key differs from the first key of its child page ${pgid} (byte ${pos + off})`
      )
    }
  }

  private checkOrderAcrossPages(bytes: Uint8Array, off: number, len: number, pgid: number, pos: number): void {
    if (this.prevKeyLen < 0) return
    if (compareBytes(this.prevKey, 0, this.prevKeyLen, bytes, off, len) >= 0) {
      corrupt(
        `page ${pgid} (byte ${pos + off}): first key is not greater than the last key of the previous leaf page of bucket "${this.bucket}"`
      )
    }
  }

  private rememberKey(bytes: Uint8Array, off: number, len: number): void {
    if (this.prevKey.length < len) this.prevKey = new Uint8Array(len * 2)
    this.prevKey.set(bytes.subarray(off, off + len))
    this.prevKeyLen = len
  }
}

/**
 * Where the first key >= `key` lies in an already verified bucket tree: "page P element i (byte X)", or '' if it
 * cannot be found. Reads the pages on one root-to-leaf path (nothing is counted in the page map).
 */
export function locateKey(db: BoltFile, root: number, key: Uint8Array): string {
  const buf = new PageBuffer(db.pageSize)
  let pgid = root
  for (let depth = 0; depth < MAX_TREE_DEPTH; depth++) {
    if (pgid < 2 || pgid >= db.pagesInFile) return ''
    const pos = pgid * db.pageSize
    if (db.file.read(buf.bytes, 0, db.pageSize, pos) < db.pageSize) return ''
    const flags = buf.view.getUint16(8, true)
    const count = buf.view.getUint16(10, true)
    if (PAGE_HEADER_SIZE + ELEMENT_SIZE * count > db.pageSize) return ''
    let chosen = 0
    for (let i = 0; i < count; i++) {
      const e = PAGE_HEADER_SIZE + ELEMENT_SIZE * i
      const keyAt = e + buf.view.getUint32(flags === LEAF_PAGE ? e + 4 : e, true)
      const keyLen = buf.view.getUint32(flags === LEAF_PAGE ? e + 8 : e + 4, true)
      if (keyAt + Math.min(keyLen, key.length) > db.pageSize) break
      const c = compareBytes(buf.bytes, keyAt, Math.min(keyLen, key.length), key, 0, key.length)
      if (flags === LEAF_PAGE) {
        if (c >= 0) return `page ${pgid} element ${i} (byte ${pos + keyAt})`
      } else if (c <= 0) chosen = i
    }
    if (flags !== BRANCH_PAGE) return ''
    pgid = readU64(buf.view, PAGE_HEADER_SIZE + ELEMENT_SIZE * chosen + 8)
  }
  return ''
}

/** What reading one path needs of the file: no page accounting, as nothing is counted. */
export type PathReader = Pick<BoltFile, 'file' | 'pageSize' | 'pagesInFile'>

/**
 * The value under `key` and the last key of a bucket tree, by reading one root-to-leaf path each: hints taken before
 * the walk has proved the tree, so nothing is checked and any oddity gives undefined. Only the walk's result counts.
 */
export function peekValue(db: PathReader, root: number, key: Uint8Array): Uint8Array | undefined {
  return descend(db, root, (page, count, span) => {
    let chosen = 0
    for (let i = 0; i < count; i++) {
      const at = elementKey(page, i, span)
      if (!at) return undefined
      const c = compareBytes(page.bytes, at.off, at.len, key, 0, key.length)
      if (page.view.getUint16(8, true) === LEAF_PAGE) {
        if (c !== 0) continue
        const vLen = page.view.getUint32(PAGE_HEADER_SIZE + ELEMENT_SIZE * i + 12, true)
        const v = at.off + at.len
        return v + vLen <= span ? page.bytes.slice(v, v + vLen) : undefined
      }
      if (c <= 0) chosen = i
    }
    return page.view.getUint16(8, true) === LEAF_PAGE ? undefined : chosen
  })
}

export function peekLastKey(db: PathReader, root: number): Uint8Array | undefined {
  return descend(db, root, (page, count, span) => {
    if (count === 0) return undefined
    if (page.view.getUint16(8, true) === BRANCH_PAGE) return count - 1
    const at = elementKey(page, count - 1, span)
    return at ? page.bytes.slice(at.off, at.off + at.len) : undefined
  })
}

/** Whether the page at `root` (a bucket's root, leaf or branch) holds any element; undefined when it cannot be read. */
export function pageHasElements(db: PathReader, root: number): boolean | undefined {
  const buf = new PageBuffer(db.pageSize)
  if (root < 2 || root >= db.pagesInFile) return undefined
  if (db.file.read(buf.bytes, 0, db.pageSize, root * db.pageSize) < db.pageSize) return undefined
  const flags = buf.view.getUint16(8, true)
  if (flags !== LEAF_PAGE && flags !== BRANCH_PAGE) return undefined
  return buf.view.getUint16(10, true) > 0
}

/**
 * Follows a path from `root`: `choose` gets each page read whole (with its overflow: `span` bytes) and returns the
 * element to go down into on a branch page, or the answer on a leaf.
 */
function descend<T>(
  db: PathReader,
  root: number,
  choose: (page: PageBuffer, count: number, span: number) => number | T | undefined
): T | undefined {
  const buf = new PageBuffer(db.pageSize)
  let pgid = root
  for (let depth = 0; depth < MAX_TREE_DEPTH; depth++) {
    if (pgid < 2 || pgid >= db.pagesInFile) return undefined
    const pos = pgid * db.pageSize
    if (db.file.read(buf.bytes, 0, db.pageSize, pos) < db.pageSize) return undefined
    const flags = buf.view.getUint16(8, true)
    const count = buf.view.getUint16(10, true)
    const overflow = buf.view.getUint32(12, true)
    if ((flags !== LEAF_PAGE && flags !== BRANCH_PAGE) || pgid + overflow >= db.pagesInFile) return undefined
    const span = (overflow + 1) * db.pageSize
    if (span > MAX_PAGE_SPAN || PAGE_HEADER_SIZE + ELEMENT_SIZE * count > span) return undefined
    if (overflow > 0) {
      // As readPage does: a damaged overflow field must not make a hint read (and hold) gigabytes.
      const need = packedSize(buf.view, db.pageSize)
      if (need < 0 || Math.ceil(need / db.pageSize) - 1 !== overflow) return undefined
      buf.ensure(span, db.pageSize)
      if (db.file.read(buf.bytes, db.pageSize, span - db.pageSize, pos + db.pageSize) < span - db.pageSize)
        return undefined
    }
    const next = choose(buf, count, span)
    if (flags === LEAF_PAGE || next === undefined) return next as T | undefined
    pgid = readU64(buf.view, PAGE_HEADER_SIZE + ELEMENT_SIZE * (next as number) + 8)
  }
  return undefined
}

/** Where element i's key lies in a page of `span` bytes, or undefined when it would run past the page. */
function elementKey(page: PageBuffer, i: number, span: number): { off: number; len: number } | undefined {
  const e = PAGE_HEADER_SIZE + ELEMENT_SIZE * i
  const leaf = page.view.getUint16(8, true) === LEAF_PAGE
  const off = e + page.view.getUint32(leaf ? e + 4 : e, true)
  const len = page.view.getUint32(leaf ? e + 8 : e + 4, true)
  return off + len <= span ? { off, len } : undefined
}

// ---------------------------------------------------------------------------------------------------------------
// Freelist

/**
 * Read the freelist page and claim it and every page it lists. Ids must be sorted, unique and in 2..hwm-1, as
 * bbolt writes them. Returns the number of free pages.
 */
export function readFreelist(db: BoltFile, pgid: number): number {
  const buf = new PageBuffer(db.pageSize)
  const overflow = readPage(db, buf, pgid, 'the meta freelist field')
  const pos = pgid * db.pageSize
  const view = buf.view
  const flags = view.getUint16(8, true)
  if (flags !== FREELIST_PAGE)
    corrupt(`page ${pgid} (byte ${pos + 8}): freelist page flags ${hexU32(flags)}, expected 0x10`)
  db.pages.claim(pgid, overflow + 1, PAGE_FREELIST, `the freelist`)
  let count = view.getUint16(10, true)
  let first = PAGE_HEADER_SIZE
  if (count === 0xffff) {
    count = readU64(view, PAGE_HEADER_SIZE)
    first += 8
    if (count < 0) corrupt(`page ${pgid} (byte ${pos + 16}): freelist count out of range`)
  }
  const limit = (overflow + 1) * db.pageSize
  if (first + count * 8 > limit)
    corrupt(`page ${pgid} (byte ${pos + 10}): freelist of ${count} ids does not fit in ${overflow + 1} pages`)
  let prev = 1
  for (let i = 0; i < count; i++) {
    const at = first + i * 8
    const id = readU64(view, at)
    if (id <= prev || id >= db.hwm) {
      corrupt(
        `page ${pgid} (byte ${pos + at}): free page id ${id < 0 ? 'out of range' : id} is not sorted, unique and within 2..${db.hwm - 1}`
      )
    }
    prev = id
    db.pages.claim(id, 1, PAGE_FREE, `the freelist (entry ${i})`)
  }
  return count
}
