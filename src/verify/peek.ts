import { BUCKET_HEADER_SIZE, isValidPageSize, parseMeta, peekLastKey, peekValue, readU64 } from './bolt.js'
import { PageBuffer, SnapshotFile } from './reader.js'
import { KEY_BUCKET } from './schema.js'

const KEY_BUCKET_NAME = new TextEncoder().encode(KEY_BUCKET)
/** A key bucket key: 8-byte big-endian main revision, '_', 8-byte sub revision, and 't' on a tombstone. */
const REVISION_KEY_SIZE = 17

/**
 * The snapshot's revision (the main revision of the key bucket's last entry, as the walk and etcd's status count it)
 * read along one root-to-leaf path: a few pages instead of the whole file, so the members can be asked for HashKV
 * while the walk runs. A hint, never a verdict: undefined for anything unusual (a damaged file, a key bucket small
 * enough to sit inline), and only the walk's own revision counts; a hint that differs from it is not used.
 */
export function peekRevision(path: string): number | undefined {
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
    const db = { file, pageSize, pagesInFile: Math.floor(file.size / pageSize) }
    const header = peekValue(db, meta.root, KEY_BUCKET_NAME)
    if (!header || header.length < BUCKET_HEADER_SIZE) return undefined
    const root = readU64(new DataView(header.buffer, header.byteOffset, header.length), 0)
    if (root <= 0) return undefined
    const last = peekLastKey(db, root)
    if (!last || last.length < REVISION_KEY_SIZE) return undefined
    const main = new DataView(last.buffer, last.byteOffset, last.length).getBigUint64(0, false)
    return main > 0n && main <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(main) : undefined
  } catch {
    return undefined
  } finally {
    file?.close()
  }
}
