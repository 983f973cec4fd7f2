import {
  BUCKET_HEADER_SIZE,
  isValidPageSize,
  PAGE_HEADER_SIZE,
  parseMeta,
  peekLastKey,
  pageHasElements,
  peekValue,
  readU64
} from './bolt.js'
import { PageBuffer, SnapshotFile } from './reader.js'
import { KEY_BUCKET, LEASE_BUCKET, REVISION_KEY_SIZE } from './schema.js'

const KEY_BUCKET_NAME = new TextEncoder().encode(KEY_BUCKET)
const LEASE_BUCKET_NAME = new TextEncoder().encode(LEASE_BUCKET)

/**
 * The snapshot's revision (the main revision of the key bucket's last entry, as the walk and etcd's status count it)
 * read along one root-to-leaf path: a few pages instead of the whole file, so the members can be asked for HashKV
 * while the walk runs. A hint, never a verdict: undefined for anything unusual (a damaged file, a key bucket small
 * enough to sit inline), and only the walk's own revision counts; a hint that differs from it is not used.
 */
export function peekRevision(path: string): number | undefined {
  return peek(path, db => {
    const root = bucketRoot(db, KEY_BUCKET_NAME)
    if (!root) return undefined
    const last = peekLastKey(db, root)
    if (!last || last.length < REVISION_KEY_SIZE) return undefined
    const main = new DataView(last.buffer, last.byteOffset, last.length).getBigUint64(0, false)
    return main > 0n && main <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(main) : undefined
  })
}

/**
 * Whether the snapshot's `lease` bucket holds any lease, read from the bucket's header and, when it has pages of its
 * own, its root page: etcd attaches a key only to a lease that exists and deletes the key when the lease goes, so no
 * lease means no key bound to one. Kubernetes binds every Event to a lease. Undefined when it cannot tell (a damaged
 * file, no lease bucket).
 */
export function peekHasLeases(path: string): boolean | undefined {
  return peek(path, db => {
    const header = peekValue(db, db.root, LEASE_BUCKET_NAME)
    if (!header || header.length < BUCKET_HEADER_SIZE) return undefined
    const root = readU64(new DataView(header.buffer, header.byteOffset, header.length), 0)
    if (root === 0) {
      // An inline bucket: its one leaf page follows the header; the page's element count is at offset 10.
      if (header.length < BUCKET_HEADER_SIZE + PAGE_HEADER_SIZE) return undefined
      return new DataView(header.buffer, header.byteOffset, header.length).getUint16(BUCKET_HEADER_SIZE + 10, true) > 0
    }
    return pageHasElements(db, root)
  })
}

interface PeekDb {
  file: SnapshotFile
  pageSize: number
  pagesInFile: number
  /** The root page of the buckets, from the valid meta page with the higher txid. */
  root: number
}

/** Opens the file and reads its meta pages for a look along one path; undefined for anything unusual. */
function peek<T>(path: string, look: (db: PeekDb) => T | undefined): T | undefined {
  let file: SnapshotFile | undefined
  try {
    file = SnapshotFile.open(path)
    const probe = new PageBuffer(65536 * 2)
    const got = file.read(probe.bytes, 0, Math.min(probe.bytes.length, file.size), 0)
    const pageSize = got >= 80 ? probe.view.getUint32(24, true) : 0
    if (!isValidPageSize(pageSize) || got < 2 * pageSize) return undefined
    // bbolt uses the valid meta with the higher txid (a snapshot's meta 0; either page in a member's database).
    const meta = [parseMeta(probe, 0, 0, pageSize), parseMeta(probe, pageSize, 1, pageSize)]
      .filter(m => m.problems.length === 0)
      .sort((a, b) => b.txid - a.txid)[0]
    if (!meta) return undefined
    return look({ file, pageSize, pagesInFile: Math.floor(file.size / pageSize), root: meta.root })
  } catch {
    return undefined
  } finally {
    file?.close()
  }
}

/** The root page of a bucket that has pages of its own; undefined for an inline bucket or one not there. */
function bucketRoot(db: PeekDb, name: Uint8Array): number | undefined {
  const header = peekValue(db, db.root, name)
  if (!header || header.length < BUCKET_HEADER_SIZE) return undefined
  const root = readU64(new DataView(header.buffer, header.byteOffset, header.length), 0)
  return root > 0 ? root : undefined
}
