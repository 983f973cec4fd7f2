/**
 * A map of a (valid) etcd snapshot held in memory, for aiming corruptions: which page is what, where each element,
 * key, value, revision key and protobuf field lies. Deliberately simple and independent of src/verify (it trusts
 * the file and checks nothing), so the corruption tests do not depend on the code they test.
 */
import { createHash } from 'node:crypto'

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
