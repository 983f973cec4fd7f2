/**
 * `etcdctl snapshot status` (3.4, and etcdutl's in 3.5) reproduced: for each top-level bucket in name order, the
 * CRC-32C of the bucket name, then of each key and value in key order; totalKey counts every entry of every bucket;
 * revision is the main revision of the last key in the `key` bucket; totalSize is the high-water mark times the page
 * size. etcdutl 3.6 changed totalKey to the number of live user keys; the report carries that as `liveKeys`.
 *
 * Within a page bbolt packs key₀ value₀ key₁ value₁ … contiguously, so the status CRC of a leaf page is one CRC over
 * that region.
 */
import { crc32cFinish, crc32cUpdate, crc32cUpdateBytes, CRC32C_INIT } from './crc32c.js'
import type { LeafPage } from './bolt.js'

export interface SnapshotStatus {
  /** CRC-32C over bucket names, keys and values (etcdctl's "hash"). */
  hash: number
  /** Main revision of the newest entry in the key bucket. */
  revision: number
  /** Entries in all buckets (etcdctl 3.4 / etcdutl 3.5 "totalKey"). */
  totalKey: number
  /** Bytes of bbolt data: high-water mark × page size. */
  totalSize: number
}

export class StatusHash {
  register = CRC32C_INIT
  totalKey = 0

  bucketName(name: Uint8Array): void {
    this.register = crc32cUpdateBytes(this.register, name)
  }

  /** All of a leaf page's keys and values. */
  page(page: LeafPage): void {
    this.register = crc32cUpdate(this.register, page.buf.bytes, page.buf.words, page.dataStart, page.dataEnd)
    this.totalKey += page.count
  }

  /** One key and its value, given as separate buffers (entries kept aside and replayed). */
  entry(key: Uint8Array, value: Uint8Array): void {
    this.register = crc32cUpdateBytes(crc32cUpdateBytes(this.register, key), value)
    this.totalKey++
  }

  get hash(): number {
    return crc32cFinish(this.register)
  }
}
