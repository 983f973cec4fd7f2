/**
 * A map of a (valid) etcd snapshot held in memory, for aiming corruptions: which page is what, where each element,
 * key, value, revision key and protobuf field lies. Deliberately simple and independent of src/verify (it trusts
 * the file and checks nothing), so the corruption tests do not depend on the code they test.
 */
import { createHash } from 'node:crypto'
import { closeSync, ftruncateSync, openSync, writeSync } from 'node:fs'

export const TRAILER = 32

export interface Element {
  page: number
  index: number
  /** Absolute offset of the 16-byte element header in the data. */
  header: number
  flags: number
  key: number
  keyLen: number
  value: number
  valueLen: number
}

export interface TreePage {
  id: number
  bucket: string
  kind: 'branch' | 'leaf'
  overflow: number
  /** Absolute offset of the page. */
  offset: number
  elements: Element[]
  /** Absolute end of the packed element data (slack follows, up to the end of the page's last overflow page). */
  dataEnd: number
  /** Branch pages: child page ids. */
  children: number[]
}

export interface InlineBucket {
  bucket: string
  /** Absolute offset of the bucket value (16-byte header, then the page). */
  value: number
  valueLen: number
  elements: Element[]
}

export interface KvFields {
  /** Absolute offsets of each field's tag byte, by field number. */
  tag: Map<number, number>
  /** Absolute offset of the payload (bytes fields) or the varint (scalar fields), by field number. */
  payload: Map<number, number>
  payloadLen: Map<number, number>
  create: number
  mod: number
  version: number
}

export interface KeyEntry extends Element {
  main: number
  sub: number
  tombstone: boolean
  kv: KvFields
  userKey: string
}

export interface Layout {
  pageSize: number
  hwm: number
  root: number
  pages: Map<number, TreePage>
  inline: InlineBucket[]
  /** Tree pages and their overflow pages. */
  used: Set<number>
  /** Data pages (2..hwm-1) not used by any tree: free. */
  free: number[]
  keyEntries: KeyEntry[]
  compactRevision: number
  bucketRoots: Map<string, number>
}

function u64(buf: Buffer, off: number): number {
  return Number(buf.readBigUInt64LE(off))
}

function varintAt(buf: Buffer, off: number): [number, number] {
  let v = 0
  let scale = 1
  let i = off
  for (;;) {
    const b = buf[i++]!
    v += (b & 0x7f) * scale
    if (b < 0x80) return [v, i]
    scale *= 128
  }
}

export function parseKv(buf: Buffer, start: number, len: number): KvFields {
  const out: KvFields = { tag: new Map(), payload: new Map(), payloadLen: new Map(), create: 0, mod: 0, version: 0 }
  let pos = start
  while (pos < start + len) {
    const tag = buf[pos]!
    const n = tag >> 3
    out.tag.set(n, pos)
    const [v, next] = varintAt(buf, pos + 1)
    if ((tag & 7) === 2) {
      out.payload.set(n, next)
      out.payloadLen.set(n, v)
      pos = next + v
    } else {
      out.payload.set(n, pos + 1)
      out.payloadLen.set(n, next - pos - 1)
      if (n === 2) out.create = v
      if (n === 3) out.mod = v
      if (n === 4) out.version = v
      pos = next
    }
  }
  return out
}

function elements(buf: Buffer, pageOff: number, pageId: number, count: number, leaf: boolean): Element[] {
  const out: Element[] = []
  for (let i = 0; i < count; i++) {
    const h = pageOff + 16 + 16 * i
    if (leaf) {
      const pos = buf.readUInt32LE(h + 4)
      const keyLen = buf.readUInt32LE(h + 8)
      const valueLen = buf.readUInt32LE(h + 12)
      out.push({
        page: pageId,
        index: i,
        header: h,
        flags: buf.readUInt32LE(h),
        key: h + pos,
        keyLen,
        value: h + pos + keyLen,
        valueLen
      })
    } else {
      const pos = buf.readUInt32LE(h)
      const keyLen = buf.readUInt32LE(h + 4)
      out.push({
        page: pageId,
        index: i,
        header: h,
        flags: 0,
        key: h + pos,
        keyLen,
        value: u64(buf, h + 8),
        valueLen: 0
      })
    }
  }
  return out
}

/** Map a snapshot (with or without its trailer). */
export function mapSnapshot(file: Buffer): Layout {
  const pageSize = file.readUInt32LE(24)
  const hwm = u64(file, 16 + 40)
  const root = u64(file, 16 + 16)
  const layout: Layout = {
    pageSize,
    hwm,
    root,
    pages: new Map(),
    inline: [],
    used: new Set([0, 1]),
    free: [],
    keyEntries: [],
    compactRevision: -1,
    bucketRoots: new Map()
  }
  const walk = (id: number, bucket: string, visit: (e: Element) => void): void => {
    const off = id * pageSize
    const flags = file.readUInt16LE(off + 8)
    const count = file.readUInt16LE(off + 10)
    const overflow = file.readUInt32LE(off + 12)
    for (let i = 0; i <= overflow; i++) layout.used.add(id + i)
    const leaf = flags === 0x02
    const els = elements(file, off, id, count, leaf)
    const last = els[els.length - 1]
    const dataEnd = last ? last.key + last.keyLen + last.valueLen : off + 16
    const page: TreePage = {
      id,
      bucket,
      kind: leaf ? 'leaf' : 'branch',
      overflow,
      offset: off,
      elements: els,
      dataEnd,
      children: []
    }
    layout.pages.set(id, page)
    if (leaf) els.forEach(visit)
    else
      for (const e of els) {
        page.children.push(e.value)
        walk(e.value, bucket, visit)
      }
  }
  const buckets: { name: string; root: number; value: number; valueLen: number }[] = []
  walk(root, '(root)', e => {
    const name = file.subarray(e.key, e.key + e.keyLen).toString('latin1')
    buckets.push({ name, root: u64(file, e.value), value: e.value, valueLen: e.valueLen })
  })
  for (const b of buckets) {
    layout.bucketRoots.set(b.name, b.root)
    const visit = (e: Element): void => {
      if (b.name === 'meta' && file.subarray(e.key, e.key + e.keyLen).toString() === 'scheduledCompactRev') {
        layout.compactRevision = Number(file.readBigUInt64BE(e.value))
      }
      if (b.name !== 'key') return
      const main = Number(file.readBigUInt64BE(e.key))
      const sub = Number(file.readBigUInt64BE(e.key + 9))
      const kv = parseKv(file, e.value, e.valueLen)
      const k = kv.payload.get(1)!
      layout.keyEntries.push({
        ...e,
        main,
        sub,
        tombstone: e.keyLen === 18,
        kv,
        userKey: file.subarray(k, k + kv.payloadLen.get(1)!).toString('latin1')
      })
    }
    if (b.root === 0) {
      const pageOff = b.value + 16
      const count = file.readUInt16LE(pageOff + 10)
      const els = elements(file, pageOff, 0, count, true)
      layout.inline.push({ bucket: b.name, value: b.value, valueLen: b.valueLen, elements: els })
      els.forEach(visit)
    } else {
      walk(b.root, b.name, visit)
    }
  }
  for (let id = 2; id < hwm; id++) if (!layout.used.has(id)) layout.free.push(id)
  return layout
}

/** The data part of a snapshot (without the trailer). */
export function dataOf(snapshot: Buffer): Buffer {
  return snapshot.subarray(0, snapshot.length - TRAILER)
}

/** data + sha256(data): a snapshot as etcd would have written it had the damage happened before hashing. */
export function withTrailer(data: Buffer): Buffer {
  return Buffer.concat([data, createHash('sha256').update(data).digest()])
}

/** bbolt's meta checksum (FNV-1a 64 over the 56 bytes before it) for the meta page at `pageOffset`. */
export function fixMetaChecksum(buf: Buffer, pageOffset: number): void {
  let h = 0xcbf29ce484222325n
  for (let i = 0; i < 56; i++) {
    h ^= BigInt(buf[pageOffset + 16 + i]!)
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn
  }
  buf.writeBigUInt64LE(h, pageOffset + 16 + 56)
}

// ---------------------------------------------------------------------------------------------------------------
// Building bbolt files, for shapes etcd never writes (hostile or foreign files) and page sizes it cannot be made to
// use here. Written independently of src/verify, from bbolt's layout.

/** A leaf element: a key/value, or a bucket (value = 16-byte bucket header, then an inline page when root is 0). */
export interface LeafSpec {
  key: Buffer
  /** The value's bytes; or only its size, for a value left as zeros (a sparse file never stores them). */
  value?: Buffer
  valueSize?: number
  bucket?: boolean
}

export interface PageSpec {
  id: number
  /** Leaf elements, or branch elements (key and child page id). */
  leaf?: LeafSpec[]
  branch?: { key: Buffer; keySize?: number; child: number }[]
}

export interface BoltSpec {
  pageSize: number
  /** Root page of the root bucket. */
  root: number
  /** High-water mark (default: one past the last page, overflow included). */
  hwm?: number
  /** Meta page 0's txid; meta page 1 gets one less, as `snapshot save` writes them. */
  txid?: number
  pages: PageSpec[]
}

/** Byte ranges to write and the data size (hwm × page size): a file built without holding it all in memory. */
export interface BoltImage {
  size: number
  writes: { offset: number; bytes: Buffer }[]
}

/** An inline bucket's value: bucket header (root 0) and a leaf page holding these key/values. */
export function inlineBucket(entries: { key: Buffer; value: Buffer }[]): Buffer {
  const page = leafPage(
    0,
    entries.map(e => ({ key: e.key, value: e.value })),
    0
  )
  return Buffer.concat([Buffer.alloc(16), ...page.map(w => w.bytes)])
}

/** A bucket value pointing at root page `root`. */
export function bucketHeader(root: number): Buffer {
  const b = Buffer.alloc(16)
  b.writeBigUInt64LE(BigInt(root), 0)
  return b
}

function pageHeader(id: number, flags: number, count: number, overflow: number): Buffer {
  const h = Buffer.alloc(16)
  h.writeBigUInt64LE(BigInt(id), 0)
  h.writeUInt16LE(flags, 8)
  h.writeUInt16LE(count, 10)
  h.writeUInt32LE(overflow, 12)
  return h
}

/** A leaf page at offset 0 of its writes (header, elements, then keys and values as far as they are given). */
function leafPage(id: number, leaf: LeafSpec[], pageSize: number): { offset: number; bytes: Buffer }[] {
  const elements = Buffer.alloc(16 * leaf.length)
  const writes: { offset: number; bytes: Buffer }[] = []
  let at = 16 + 16 * leaf.length
  leaf.forEach((e, i) => {
    const vLen = e.value?.length ?? e.valueSize ?? 0
    elements.writeUInt32LE(e.bucket ? 1 : 0, 16 * i)
    elements.writeUInt32LE(at - 16 - 16 * i, 16 * i + 4)
    elements.writeUInt32LE(e.key.length, 16 * i + 8)
    elements.writeUInt32LE(vLen, 16 * i + 12)
    writes.push({ offset: at, bytes: e.key })
    if (e.value) writes.push({ offset: at + e.key.length, bytes: e.value })
    at += e.key.length + vLen
  })
  const overflow = pageSize > 0 ? Math.ceil(at / pageSize) - 1 : 0
  return [{ offset: 0, bytes: Buffer.concat([pageHeader(id, 0x02, leaf.length, overflow), elements]) }, ...writes]
}

function branchPage(id: number, branch: NonNullable<PageSpec['branch']>, pageSize: number): BoltImage['writes'] {
  const elements = Buffer.alloc(16 * branch.length)
  const writes: BoltImage['writes'] = []
  let at = 16 + 16 * branch.length
  branch.forEach((e, i) => {
    const kLen = e.keySize ?? e.key.length
    elements.writeUInt32LE(at - 16 - 16 * i, 16 * i)
    elements.writeUInt32LE(kLen, 16 * i + 4)
    elements.writeBigUInt64LE(BigInt(e.child), 16 * i + 8)
    writes.push({ offset: at, bytes: e.key })
    at += kLen
  })
  const overflow = Math.ceil(at / pageSize) - 1
  return [{ offset: 0, bytes: Buffer.concat([pageHeader(id, 0x01, branch.length, overflow), elements]) }, ...writes]
}

/** The meta page as bbolt writes it, checksum included. */
export function metaPage(index: number, pageSize: number, root: number, hwm: number, txid: number): Buffer {
  const p = Buffer.alloc(16 + 64)
  pageHeader(index, 0x04, 0, 0).copy(p, 0)
  p.writeUInt32LE(0xed0cdaed, 16)
  p.writeUInt32LE(2, 20)
  p.writeUInt32LE(pageSize, 24)
  p.writeBigUInt64LE(BigInt(root), 32)
  p.writeBigUInt64LE(0xffffffffffffffffn, 48) // no freelist on disk (etcd's NoFreelistSync)
  p.writeBigUInt64LE(BigInt(hwm), 56)
  p.writeBigUInt64LE(BigInt(txid), 64)
  fixMetaChecksum(p, 0)
  return p
}

export function buildBolt(spec: BoltSpec): BoltImage {
  const ps = spec.pageSize
  const writes: BoltImage['writes'] = []
  let end = 2
  for (const page of spec.pages) {
    const local = page.leaf ? leafPage(page.id, page.leaf, ps) : branchPage(page.id, page.branch!, ps)
    const overflow = local[0]!.bytes.readUInt32LE(12)
    end = Math.max(end, page.id + overflow + 1)
    for (const w of local) writes.push({ offset: page.id * ps + w.offset, bytes: w.bytes })
  }
  const hwm = spec.hwm ?? end
  const txid = spec.txid ?? 3
  writes.push({ offset: 0, bytes: metaPage(0, ps, spec.root, hwm, txid) })
  writes.push({ offset: ps, bytes: metaPage(1, ps, spec.root, hwm, txid - 1) })
  return { size: hwm * ps, writes }
}

/** The image as one buffer (small files). */
export function boltBytes(image: BoltImage): Buffer {
  const b = Buffer.alloc(image.size)
  for (const w of image.writes) w.bytes.copy(b, w.offset)
  return b
}

/** An etcd-shaped revision key: 8-byte big-endian main, '_', 8-byte big-endian sub. */
export function revisionKey(main: number, sub = 0): Buffer {
  const k = Buffer.alloc(17)
  k.writeBigUInt64BE(BigInt(main), 0)
  k[8] = 0x5f
  k.writeBigUInt64BE(BigInt(sub), 9)
  return k
}

/** mvccpb.KeyValue {key, create_revision, mod_revision, version, value}. */
export function keyValue(key: string, revision: number, value: Buffer): Buffer {
  const varint = (n: number): number[] => {
    const out: number[] = []
    while (n >= 0x80) {
      out.push((n & 0x7f) | 0x80)
      n = Math.floor(n / 128)
    }
    out.push(n)
    return out
  }
  const k = Buffer.from(key)
  const head = Buffer.from([0x0a, ...varint(k.length)])
  const fields = Buffer.from([
    0x10,
    ...varint(revision),
    0x18,
    ...varint(revision),
    0x20,
    1,
    0x2a,
    ...varint(value.length)
  ])
  return Buffer.concat([head, k, fields, value])
}

/** Write the image to `path` as a sparse file: only the given bytes are stored. */
export function writeSparse(path: string, image: BoltImage, trailer = false): void {
  const fd = openSync(path, 'w')
  try {
    ftruncateSync(fd, image.size + (trailer ? TRAILER : 0))
    for (const w of image.writes) writeSync(fd, w.bytes, 0, w.bytes.length, w.offset)
  } finally {
    closeSync(fd)
  }
}
