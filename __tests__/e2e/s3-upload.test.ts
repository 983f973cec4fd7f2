/**
 * The offsite copy against a real MinIO (harness/s3-server.ts): round trip with the stored SHA-256 checked, Object
 * Lock, completion only after the gate and nothing left after an abort, and one-line errors for wrong credentials,
 * a missing bucket, a bucket without Object Lock, a missing key and a wrong region.
 */
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectVersionsCommand,
  S3Client
} from '@aws-sdk/client-s3'
import { randomBytes, createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ConfigurationError } from '../../src/errors.js'
import {
  backupKey,
  downloadObject,
  manifestUri,
  parseS3Settings,
  S3Error,
  startUpload,
  uploadFile,
  type S3Settings
} from '../../src/s3/index.js'
import { startS3Server, type S3Server } from '../harness/s3-server.js'

let s3: S3Server
let sdk: S3Client
let dir: string
const MiB = 1024 * 1024

beforeAll(async () => {
  s3 = await startS3Server()
  sdk = new S3Client({
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey }
  })
  dir = mkdtempSync(join(tmpdir(), 's3-upload-test-'))
}, 1_800_000)

afterAll(async () => {
  sdk?.destroy()
  await s3?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

const creds = (): { credentials: { accessKeyId: string; secretAccessKey: string } } => ({
  credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey }
})

function settings(bucket: string, extra: { objectLockMode?: string; objectLockDays?: string } = {}): S3Settings {
  const parsed = parseS3Settings({ uri: `s3://${bucket}/backups/etcd/`, endpoint: s3.endpoint, ...extra })
  if (!parsed) throw new Error('no settings')
  return parsed
}

async function bucket(name: string, lock = false): Promise<string> {
  await sdk.send(new CreateBucketCommand({ Bucket: name, ObjectLockEnabledForBucket: lock }))
  return name
}

function randomFile(name: string, size: number): string {
  const path = join(dir, name)
  writeFileSync(path, randomBytes(size))
  return path
}

/** Keys with an unfinished upload; MinIO lists those of one key only (after a restart), so ask for that key. */
async function unfinishedUploads(b: string, key: string): Promise<string[]> {
  const res = await sdk.send(new ListMultipartUploadsCommand({ Bucket: b, Prefix: key }))
  return (res.Uploads ?? []).map(u => u.Key ?? '')
}

async function versions(b: string): Promise<string[]> {
  const res = await sdk.send(new ListObjectVersionsCommand({ Bucket: b }))
  return [...(res.Versions ?? []), ...(res.DeleteMarkers ?? [])].map(v => v.Key ?? '')
}

const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex')

/** The message of what `p` rejects with, which must be one line of the given class. */
async function oneLine(p: Promise<unknown>, type: typeof ConfigurationError | typeof S3Error): Promise<string> {
  const e = await p.then(
    () => {
      throw new Error('expected a failure')
    },
    (err: unknown) => err
  )
  expect(e).toBeInstanceOf(type)
  const message = (e as Error).message
  expect(message).not.toContain('\n')
  expect(message).not.toContain(s3.secretAccessKey)
  return message
}

test('round trip: a multipart backup file and a one-part manifest come back checked against their stored SHA-256', async () => {
  const b = await bucket('round-trip')
  const s = settings(b)
  const file = randomFile('backup.db.zst.age', 40 * MiB + 12345)
  const manifest = join(dir, 'manifest.json')
  writeFileSync(manifest, JSON.stringify({ version: 1, file: 'backup.db.zst.age' }))

  const opts = creds()
  const up = await uploadFile(s, backupKey(s, 'etcd-backup-1', 'backup.db.zst.age'), file, opts)
  expect(up.uri).toBe(`s3://${b}/backups/etcd/etcd-backup-1/backup.db.zst.age`)
  // 16 MiB parts: three of them, checked by the store part by part.
  expect(up.storedChecksum).toMatch(/^[A-Za-z0-9+/]{43}=-3$/)
  const upManifest = await uploadFile(s, backupKey(s, 'etcd-backup-1', 'manifest.json'), manifest, opts)
  expect(upManifest.storedChecksum).toBe(createHash('sha256').update(readFileSync(manifest)).digest('base64'))

  const head = await sdk.send(new HeadObjectCommand({ Bucket: b, Key: up.key, ChecksumMode: 'ENABLED' }))
  expect(head.ChecksumSHA256).toBe(up.storedChecksum)

  const got = await downloadObject(s, up.uri, join(dir, 'got.age'), opts)
  expect(got.sha256).toBe(sha256(file))
  expect(got.size).toBe(40 * MiB + 12345)
  expect(got.storedChecksum).toBe(up.storedChecksum)
  expect(readFileSync(got.path).equals(readFileSync(file))).toBe(true)
  const gotManifest = await downloadObject(s, manifestUri(up.uri), join(dir, 'got-manifest.json'), opts)
  expect(readFileSync(gotManifest.path, 'utf8')).toBe(readFileSync(manifest, 'utf8'))
  expect(await unfinishedUploads(b, up.key)).toEqual([])
})

test('download refuses an object without a stored SHA-256, and leaves no file', async () => {
  const b = await bucket('no-checksum')
  await sdk.send(
    new (await import('@aws-sdk/client-s3')).PutObjectCommand({ Bucket: b, Key: 'x/backup.age', Body: 'bytes' })
  )
  const dest = join(dir, 'no-checksum.age')
  const message = await oneLine(downloadObject(settings(b), `s3://${b}/x/backup.age`, dest, creds()), S3Error)
  expect(message).toContain(`s3://${b}/x/backup.age`)
  expect(message).toContain('no SHA-256 checksum')
  expect(existsSync(dest)).toBe(false)
  expect(existsSync(`${dest}.partial`)).toBe(false)
})

test('Object Lock: both files get the mode and retain-until date, and a delete of the locked version fails', async () => {
  const b = await bucket('locked', true)
  const s = settings(b, { objectLockMode: 'GOVERNANCE', objectLockDays: '2' })
  const file = randomFile('locked.age', 20 * MiB)
  const small = randomFile('locked-manifest.json', 300)
  const before = Date.now()
  for (const [path, name] of [
    [file, 'backup.age'],
    [small, 'manifest.json']
  ] as const) {
    const up = await uploadFile(s, backupKey(s, 'locked-run', name), path, creds())
    expect(up.versionId).toBeTruthy()
    const head = await sdk.send(new HeadObjectCommand({ Bucket: b, Key: up.key, VersionId: up.versionId }))
    expect(head.ObjectLockMode).toBe('GOVERNANCE')
    const until = head.ObjectLockRetainUntilDate?.getTime() ?? 0
    expect(until).toBeGreaterThanOrEqual(before + 2 * 86_400_000 - 1000)
    expect(until).toBeLessThanOrEqual(Date.now() + 2 * 86_400_000 + 1000)

    await expect(
      sdk.send(new DeleteObjectCommand({ Bucket: b, Key: up.key, VersionId: up.versionId }))
    ).rejects.toThrow()
    const kept = await sdk.send(new HeadObjectCommand({ Bucket: b, Key: up.key, VersionId: up.versionId }))
    expect(kept.ContentLength).toBe(path === file ? 20 * MiB : 300)
  }
})

test('the object exists only after complete(); until then its parts are an unfinished upload', async () => {
  const b = await bucket('gate-passed')
  const s = settings(b)
  const key = backupKey(s, 'gated', 'backup.age')
  const up = await startUpload(s, key, creds())
  const data = randomBytes(40 * MiB)
  for (let i = 0; i < data.length; i += MiB) await up.write(data.subarray(i, i + MiB))
  // Let lib-storage send what it can before the gate.
  await new Promise(r => setTimeout(r, 500))
  expect(await versions(b)).toEqual([])
  expect(await unfinishedUploads(b, key)).toEqual([key])

  const done = await up.complete()
  expect(done.size).toBe(data.length)
  expect(await versions(b)).toEqual([key])
  expect(await unfinishedUploads(b, key)).toEqual([])
})

test('abort after a failed gate leaves no object and no unfinished upload, for a multipart and a one-part upload', async () => {
  const b = await bucket('gate-failed')
  const s = settings(b)
  for (const size of [40 * MiB, 3 * MiB]) {
    const key = backupKey(s, `failed-${size}`, 'backup.age')
    const up = await startUpload(s, key, creds())
    const data = randomBytes(size)
    for (let i = 0; i < data.length; i += MiB) await up.write(data.subarray(i, i + MiB))
    await new Promise(r => setTimeout(r, 500))
    if (size > 16 * MiB) expect(await unfinishedUploads(b, key)).toEqual([key])
    await up.abort()
    expect(await unfinishedUploads(b, key)).toEqual([])
    expect(await versions(b)).toEqual([])
    await expect(up.write(Buffer.from('more'))).rejects.toThrow(S3Error)
  }
})

test('wrong credentials: one line naming the bucket, before any byte is sent', async () => {
  const b = await bucket('wrong-creds')
  const s = settings(b)
  const message = await oneLine(
    startUpload(s, backupKey(s, 'run', 'backup.age'), {
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: 'not-the-secret' }
    }),
    ConfigurationError
  )
  expect(message).toContain(`s3://${b}/backups/etcd/run/backup.age`)
  expect(message).toContain('credentials were refused')
  const unknownKey = await oneLine(
    downloadObject(s, `s3://${b}/k`, join(dir, 'k'), {
      credentials: { accessKeyId: 'nobody', secretAccessKey: 'not-the-secret' }
    }),
    ConfigurationError
  )
  expect(unknownKey).toContain('credentials were refused (InvalidAccessKeyId')
})

test('missing bucket: one line naming it, with and without Object Lock asked for', async () => {
  for (const extra of [{}, { objectLockMode: 'COMPLIANCE', objectLockDays: '1' }]) {
    const s = settings('no-such-bucket', extra)
    const message = await oneLine(startUpload(s, backupKey(s, 'run', 'backup.age'), creds()), ConfigurationError)
    expect(message).toContain('s3://no-such-bucket/backups/etcd/run/backup.age')
    expect(message).toContain('bucket no-such-bucket does not exist')
  }
})

test('a bucket without Object Lock, when a lock is asked for: one line, and nothing uploaded', async () => {
  const b = await bucket('unlocked')
  const s = settings(b, { objectLockMode: 'GOVERNANCE', objectLockDays: '7' })
  const message = await oneLine(startUpload(s, backupKey(s, 'run', 'backup.age'), creds()), ConfigurationError)
  expect(message).toContain(`bucket ${b} has no Object Lock`)
  expect(message).toContain('s3-object-lock-mode')
  expect(await unfinishedUploads(b, backupKey(s, 'run', 'backup.age'))).toEqual([])
  expect(await versions(b)).toEqual([])
})

test('download errors: a missing key and a wrong region are one line each', async () => {
  const b = await bucket('download-errors')
  const s = settings(b)
  const missing = await oneLine(
    downloadObject(s, `s3://${b}/backups/none.age`, join(dir, 'none'), creds()),
    ConfigurationError
  )
  expect(missing).toContain(`download of s3://${b}/backups/none.age failed: no such object (NoSuchKey, HTTP 404)`)
  const region = await oneLine(
    downloadObject({ ...s, region: 'eu-west-3' }, `s3://${b}/backups/none.age`, join(dir, 'none'), creds()),
    ConfigurationError
  )
  expect(region).toContain('wrong region')
  expect(region).toContain('s3-region')
})
