/**
 * Building bbolt files, for shapes etcd never writes (hostile or foreign files) and page sizes it cannot be made to
 * use here. Written independently of src/verify, from bbolt's layout.
 */
import { closeSync, ftruncateSync, openSync, writeSync } from 'node:fs'
import { fixMetaChecksum, TRAILER } from './bolt-layout.js'

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
