/**
 * Download of a backup's files from S3 for a restore: the object is streamed to a file and its SHA-256 checked
 * against the checksum the store kept when it was uploaded (ChecksumMode ENABLED). A multipart object's checksum is
 * the SHA-256 of its parts' SHA-256s (COMPOSITE): the parts' sizes and checksums come from GetObjectAttributes and
 * each part is checked as it streams by. The file is written beside `dest` and renamed into place only once checked.
 */
import { createHash, type Hash } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { rename, rm } from 'node:fs/promises'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { Writable } from 'node:stream'
import { s3Client, type S3ClientOptions } from './client.js'
import { S3Error, s3Failure, type S3Operation } from './errors.js'
import { parseS3Uri, type S3Access } from './settings.js'

export interface DownloadedObject {
  /** The file written. */
  path: string
  size: number
  /** SHA-256 of the bytes, hex. */
  sha256: string
  versionId?: string
  /** The stored checksum the bytes were checked against (base64, `-<parts>` for a multipart object). */
  storedChecksum: string
}

export interface DownloadOptions extends S3ClientOptions {
  /** A version of the object other than the newest. */
  versionId?: string
}

/** Downloads the object `uri` (s3://bucket/key) to `dest`, checked against its stored SHA-256. */
export async function downloadObject(
  access: S3Access,
  uri: string,
  dest: string,
  options: DownloadOptions = {}
): Promise<DownloadedObject> {
  const { bucket, key } = parseS3Uri(uri)
  const op: S3Operation = { verb: 'download', bucket, key, endpoint: access.endpoint }
  const s3 = await s3Client(access, options)
  const partial = `${dest}.partial`
  try {
    const version = options.versionId ? { VersionId: options.versionId } : {}
    const res = await s3.client.send(
      new s3.sdk.GetObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED', ...version })
    )
    const stored = res.ChecksumSHA256
    if (!stored) {
      res.Body?.transformToWebStream()
        .cancel()
        .catch(() => undefined)
      throw new S3Error(
        `download of ${uri} refused: the object has no SHA-256 checksum, so it was not uploaded by this action (or the store drops checksums)`
      )
    }
    const parts = /-(\d+)$/.exec(stored)
    let checker: PartChecker
    if (parts) {
      const attrs = await s3.client.send(
        new s3.sdk.GetObjectAttributesCommand({
          Bucket: bucket,
          Key: key,
          // Only ObjectParts: MinIO refuses a list of several attributes (InvalidArgument).
          ObjectAttributes: ['ObjectParts'],
          MaxParts: 10_000,
          ...(res.VersionId ? { VersionId: res.VersionId } : {})
        })
      )
      const list = attrs.ObjectParts?.Parts ?? []
      if (list.length !== Number(parts[1]) || list.some(p => !p.Size || !p.ChecksumSHA256)) {
        throw new S3Error(
          `download of ${uri} failed: the store listed ${list.length} parts with checksums for a ${parts[1]}-part object; it cannot be checked`
        )
      }
      checker = new PartChecker(
        list.map(p => ({ size: p.Size as number, sha256: p.ChecksumSHA256 as string })),
        stored,
        uri
      )
    } else {
      checker = new PartChecker([{ size: Number(res.ContentLength ?? 0), sha256: stored }], undefined, uri)
    }
    const whole = createHash('sha256')
    let size = 0
    const body = res.Body as Readable | undefined
    if (!body) throw new S3Error(`download of ${uri} failed: the store sent no body`)
    await pipeline(
      body,
      async function* (source: AsyncIterable<Buffer>) {
        for await (const chunk of source) {
          whole.update(chunk)
          size += chunk.byteLength
          checker.update(chunk)
          yield chunk
        }
        checker.end()
      },
      createWriteStream(partial, { mode: 0o600 }) as Writable
    )
    await rename(partial, dest)
    const out: DownloadedObject = { path: dest, size, sha256: whole.digest('hex'), storedChecksum: stored }
    if (res.VersionId) out.versionId = res.VersionId
    return out
  } catch (e: unknown) {
    await rm(partial, { force: true })
    throw s3Failure(e, op)
  } finally {
    s3.client.destroy()
  }
}

/**
 * Hashes a stream part by part and checks each part, then the composite checksum (base64 SHA-256 of the parts'
 * digests, then -<parts>), against the stored ones; throws an S3Error at the first mismatch.
 */
export class PartChecker {
  private index = 0
  private left: number
  private hash: Hash = createHash('sha256')
  private readonly digests: Buffer[] = []

  constructor(
    private readonly parts: { size: number; sha256: string }[],
    private readonly composite: string | undefined,
    private readonly uri: string
  ) {
    this.left = parts[0]?.size ?? 0
  }

  update(chunk: Buffer): void {
    let offset = 0
    while (offset < chunk.length) {
      if (this.index >= this.parts.length) this.fail('the object is longer than its parts')
      const n = Math.min(this.left, chunk.length - offset)
      this.hash.update(chunk.subarray(offset, offset + n))
      offset += n
      this.left -= n
      if (this.left === 0) this.nextPart()
    }
  }

  end(): void {
    if (this.index === 0 && this.parts.length === 1 && this.parts[0]?.size === 0) this.nextPart()
    if (this.index !== this.parts.length) this.fail('the object is shorter than its parts')
    if (this.composite) {
      const sum = createHash('sha256').update(Buffer.concat(this.digests)).digest('base64')
      if (`${sum}-${this.parts.length}` !== this.composite) this.fail('its parts do not add up to its checksum')
    }
  }

  private nextPart(): void {
    const digest = this.hash.digest()
    const part = this.parts[this.index] as { sha256: string }
    if (digest.toString('base64') !== part.sha256.replace(/-\d+$/, '')) {
      this.fail(`part ${this.index + 1} does not match its SHA-256`)
    }
    this.digests.push(digest)
    this.index++
    this.hash = createHash('sha256')
    this.left = this.parts[this.index]?.size ?? 0
  }

  private fail(why: string): never {
    throw new S3Error(
      `download of ${this.uri} failed its checksum: ${why}; the stored object is damaged, do not restore it`
    )
  }
}
