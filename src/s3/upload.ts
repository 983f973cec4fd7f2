/**
 * Upload of a backup's files to S3 as multipart uploads (@aws-sdk/lib-storage) that become objects only when the
 * caller completes them: after the backup passed its gate. Until then the bytes are parts of an unfinished upload,
 * which no reader sees as an object; abort (or any failure) aborts the upload, so nothing is left behind. A store
 * that dies mid-upload cannot be told to abort: abortUnfinishedUploads() removes such leftovers on a later run.
 *
 * Memory is bounded by queueSize × partSize (4 × 16 MiB by default) plus one part being filled: lib-storage reads
 * the body only when an uploader is free, and write() waits for that (backpressure).
 */
import type { Upload } from '@aws-sdk/lib-storage'
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { PassThrough } from 'node:stream'
import { ConfigurationError } from '../errors.js'
import { s3Client, type LoadedS3, type S3ClientOptions } from './client.js'
import { S3Error, s3Failure, type S3Operation } from './errors.js'
import { formatS3Uri, type S3Settings } from './settings.js'

const MiB = 1024 * 1024
/** 16 MiB parts: 10,000 parts (S3's limit) cover 156 GiB, far above etcd's 8 GiB quota. */
export const DEFAULT_PART_SIZE = 16 * MiB
export const DEFAULT_QUEUE_SIZE = 4
const MAX_PARTS = 10_000
const DAY_MS = 86_400_000

export interface UploadOptions extends S3ClientOptions {
  /** Bytes per part, at least 5 MiB; default 16 MiB. */
  partSize?: number
  /** Parts in flight at once; default 4. */
  queueSize?: number
  contentType?: string
}

export interface UploadedObject {
  /** s3://bucket/key */
  uri: string
  bucket: string
  key: string
  /** The object's version, when the bucket is versioned (always with Object Lock). */
  versionId?: string
  size: number
  /**
   * The checksum the store verified and keeps, as S3 reports it: base64 SHA-256 of the object (one part), or of the
   * parts' SHA-256s followed by -<parts> (a multipart upload).
   */
  storedChecksum?: string
  /** When the Object Lock retention ends, if one was set. */
  retainUntil?: Date
}

/** An upload in progress: write the bytes, then complete it once the backup passed its gate, or abort it. */
export interface S3Upload {
  readonly uri: string
  /** Adds bytes; resolves when the upload can take more (backpressure). Rejects once the upload failed. */
  write(chunk: Uint8Array): Promise<void>
  /** Sends the last part and completes the upload: only now does the object exist. */
  complete(): Promise<UploadedObject>
  /** Aborts the upload and waits until the store dropped its parts. Throws if it could not (the store is gone). */
  abort(): Promise<void>
}

/** Marks the body's end as an abort, so a rejection carrying it is ours, not a failure. */
class UploadAborted extends Error {
  override name = 'UploadAborted'
}

/**
 * Checks that the bucket is there, the credentials work and, if settings.objectLock is set, that the bucket has
 * Object Lock, then starts a multipart upload of `key` (the store sees it with the first full part).
 */
export async function startUpload(settings: S3Settings, key: string, options: UploadOptions = {}): Promise<S3Upload> {
  const partSize = options.partSize ?? DEFAULT_PART_SIZE
  const queueSize = options.queueSize ?? DEFAULT_QUEUE_SIZE
  if (!(Number.isSafeInteger(partSize) && partSize >= 5 * MiB && partSize <= 5 * 1024 * MiB)) {
    throw new ConfigurationError(`S3 part size must be a whole number of bytes from 5 MiB to 5 GiB, got ${partSize}`)
  }
  if (!(Number.isSafeInteger(queueSize) && queueSize >= 1 && queueSize <= 64)) {
    throw new ConfigurationError(`S3 queue size must be a whole number from 1 to 64, got ${queueSize}`)
  }
  const op: S3Operation = { verb: 'upload', bucket: settings.bucket, key, endpoint: settings.endpoint }
  const s3 = await s3Client(settings, options)
  await checkBucket(s3, settings, op)
  const { Upload } = await import('@aws-sdk/lib-storage')

  const retainUntil = settings.objectLock ? new Date(Date.now() + settings.objectLock.days * DAY_MS) : undefined
  const body = new PassThrough({ highWaterMark: MiB })
  const upload: Upload = new Upload({
    client: s3.client,
    queueSize,
    partSize,
    leavePartsOnError: false,
    params: {
      Bucket: settings.bucket,
      Key: key,
      Body: body,
      ChecksumAlgorithm: 'SHA256',
      ...(options.contentType ? { ContentType: options.contentType } : {}),
      ...(settings.storageClass ? { StorageClass: settings.storageClass as never } : {}),
      ...(settings.objectLock && retainUntil
        ? { ObjectLockMode: settings.objectLock.mode, ObjectLockRetainUntilDate: retainUntil }
        : {})
    }
  })
  let size = 0
  let state: 'open' | 'completing' | 'completed' | 'aborting' | 'aborted' = 'open'
  let failure: Error | undefined
  let failed!: (e: Error) => void
  const failedPromise = new Promise<never>((_, reject) => (failed = reject))
  failedPromise.catch(() => undefined)

  // lib-storage aborts the multipart upload itself when a part fails or the body errors, and then rethrows; when that
  // abort fails too (the store is gone) it leaves its abort command set: read it to say so.
  const leftover = (): string | undefined => {
    const internals = upload as unknown as { uploadId?: unknown; abortMultipartUploadCommand?: unknown }
    return internals.abortMultipartUploadCommand && typeof internals.uploadId === 'string'
      ? internals.uploadId
      : undefined
  }
  const explain = (e: unknown, verb: string): Error => {
    const error = s3Failure(e, { ...op, verb })
    const id = leftover()
    if (!id) return error
    return new S3Error(
      `${error.message}; its unfinished multipart upload ${id} could not be aborted: abortUnfinishedUploads() on the next run, or a lifecycle rule with AbortIncompleteMultipartUpload, removes it`
    )
  }
  const done = upload.done().then(
    result => {
      s3.client.destroy()
      return result
    },
    (e: unknown) => {
      s3.client.destroy()
      const error = e instanceof UploadAborted && !leftover() ? e : explain(e, 'upload')
      failure = error
      failed(error)
      body.destroy()
      throw error
    }
  )
  done.catch(() => undefined)

  return {
    uri: formatS3Uri({ bucket: settings.bucket, key }),
    async write(chunk) {
      if (state !== 'open') throw new S3Error(`write to s3://${settings.bucket}/${key} after the upload was ${state}`)
      if (failure) throw failure
      size += chunk.byteLength
      if (!body.write(chunk)) {
        await Promise.race([new Promise<void>(resolve => body.once('drain', resolve)), failedPromise])
      }
    },
    async complete() {
      if (state !== 'open')
        throw new S3Error(`complete of s3://${settings.bucket}/${key} after the upload was ${state}`)
      state = 'completing'
      body.end()
      const result = await done
      state = 'completed'
      const uploaded: UploadedObject = {
        uri: formatS3Uri({ bucket: settings.bucket, key }),
        bucket: settings.bucket,
        key,
        size
      }
      if (result.VersionId) uploaded.versionId = result.VersionId
      if (result.ChecksumSHA256) uploaded.storedChecksum = result.ChecksumSHA256
      if (retainUntil) uploaded.retainUntil = retainUntil
      return uploaded
    },
    async abort() {
      if (state === 'completed' || state === 'aborting' || state === 'aborted') return
      state = 'aborting'
      body.destroy(new UploadAborted('aborted by the caller'))
      try {
        await done
      } catch (e: unknown) {
        if (e instanceof UploadAborted) return
        // The upload had failed before (its parts are aborted) unless an unfinished upload is left.
        if (leftover()) throw e
        return
      } finally {
        state = 'aborted'
      }
      // Unreachable unless the body ended anyway; an object created by then is not ours to delete.
    }
  }
}

/**
 * Uploads a finished file (the upload-after-gate strategy): the object exists when this resolves, and after a
 * failure nothing is left (see S3Upload.abort).
 */
export async function uploadFile(
  settings: S3Settings,
  key: string,
  file: string,
  options: UploadOptions = {}
): Promise<UploadedObject> {
  const { size } = await stat(file)
  // Keep within S3's 10,000 parts: larger parts for a file above 156 GiB.
  const partSize = Math.max(options.partSize ?? DEFAULT_PART_SIZE, Math.ceil(size / MAX_PARTS / MiB) * MiB)
  const up = await startUpload(settings, key, { ...options, partSize })
  try {
    for await (const chunk of createReadStream(file, { highWaterMark: MiB })) await up.write(chunk as Buffer)
    return await up.complete()
  } catch (e: unknown) {
    await up.abort().catch(() => undefined)
    throw e
  }
}

/**
 * Aborts the multipart uploads of keys starting with `keyPrefix` that were started before `initiatedBefore`
 * (default: now) and never completed: what a store that died mid-upload kept. Returns how many were aborted.
 * MinIO lists only the uploads of the exact key given, so pass the key (say, from the post step of the run that
 * failed); MinIO also drops unfinished uploads itself after 24 hours (api stale_uploads_expiry).
 */
export async function abortUnfinishedUploads(
  settings: S3Settings,
  keyPrefix: string,
  options: S3ClientOptions & { initiatedBefore?: Date } = {}
): Promise<number> {
  const s3 = await s3Client(settings, options)
  const before = (options.initiatedBefore ?? new Date()).getTime()
  const op: S3Operation = {
    verb: 'abort of unfinished uploads',
    bucket: settings.bucket,
    key: keyPrefix,
    endpoint: settings.endpoint
  }
  let aborted = 0
  try {
    let keyMarker: string | undefined
    let uploadIdMarker: string | undefined
    for (;;) {
      const page = await s3.client.send(
        new s3.sdk.ListMultipartUploadsCommand({
          Bucket: settings.bucket,
          Prefix: keyPrefix,
          ...(keyMarker ? { KeyMarker: keyMarker } : {}),
          ...(uploadIdMarker ? { UploadIdMarker: uploadIdMarker } : {})
        })
      )
      for (const u of page.Uploads ?? []) {
        if (!u.Key || !u.UploadId || (u.Initiated && u.Initiated.getTime() > before)) continue
        await s3.client.send(
          new s3.sdk.AbortMultipartUploadCommand({ Bucket: settings.bucket, Key: u.Key, UploadId: u.UploadId })
        )
        aborted++
      }
      if (!page.IsTruncated) return aborted
      keyMarker = page.NextKeyMarker
      uploadIdMarker = page.NextUploadIdMarker
    }
  } catch (e: unknown) {
    throw s3Failure(e, op)
  } finally {
    s3.client.destroy()
  }
}

/**
 * The checks startUpload makes, alone and at once: the backup runs them before taking the snapshot, so that a wrong
 * bucket, refused credentials or a bucket without Object Lock fail in seconds rather than after the save.
 */
export async function checkDestination(
  settings: S3Settings,
  key: string,
  options: S3ClientOptions = {}
): Promise<void> {
  const s3 = await s3Client(settings, options)
  try {
    await checkBucket(s3, settings, { verb: 'upload', bucket: settings.bucket, key, endpoint: settings.endpoint })
  } finally {
    s3.client.destroy()
  }
}

/** Fails with one line, before any byte is sent, when the bucket is missing or refuses us, or lacks Object Lock. */
async function checkBucket(s3: LoadedS3, settings: S3Settings, op: S3Operation): Promise<void> {
  // A GET, not HeadBucket: a HEAD's error has no body, so it cannot tell wrong credentials from a missing permission.
  // This one needs s3:ListBucketMultipartUploads, which abortUnfinishedUploads() needs anyway.
  try {
    await s3.client.send(
      new s3.sdk.ListMultipartUploadsCommand({ Bucket: settings.bucket, Prefix: op.key ?? '', MaxUploads: 1 })
    )
  } catch (e: unknown) {
    throw s3Failure(e, { ...op, verb: 'upload (checking the bucket)' })
  }
  if (!settings.objectLock) return
  let enabled: string | undefined
  try {
    const res = await s3.client.send(new s3.sdk.GetObjectLockConfigurationCommand({ Bucket: settings.bucket }))
    enabled = res.ObjectLockConfiguration?.ObjectLockEnabled
  } catch (e: unknown) {
    const name = (e as { name?: unknown } | null)?.name
    if (name !== 'ObjectLockConfigurationNotFoundError') {
      throw s3Failure(e, { ...op, verb: 'upload (checking the bucket for Object Lock)' })
    }
  }
  if (enabled !== 'Enabled') {
    throw new ConfigurationError(
      `upload of s3://${settings.bucket}/${op.key ?? ''} refused: bucket ${settings.bucket} has no Object Lock, so s3-object-lock-mode cannot be applied; create the bucket with Object Lock enabled, or unset s3-object-lock-mode`
    )
  }
}
