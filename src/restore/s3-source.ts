/**
 * A backup fetched from S3 (or an S3-compatible store) for the restore: the backup file's object and the
 * manifest.json beside it, downloaded into a private dir the caller made and removes. The object's bytes are checked
 * against the SHA-256 the store kept (s3/download.ts); the manifest's facts are checked by the restore flow, exactly
 * as for an artifact.
 */
import * as path from 'node:path'
import { ConfigurationError } from '../errors.js'
import { MANIFEST_FILE } from '../format/file-name.js'
import {
  downloadObject,
  manifestUri,
  parseS3Settings,
  parseS3Uri,
  s3Client,
  s3Failure,
  type DownloadedObject,
  type S3Access
} from '../s3/index.js'
import { readRecordedFacts, type FetchedBackup } from './source.js'

/** The backup file's object and how to reach it. */
export interface S3Source {
  /** s3://bucket/key of the backup file (the backup action's s3-uri output). */
  uri: string
  access: S3Access
  /** A version of the object other than the newest. */
  versionId?: string
}

/** The settings as given (empty or absent = not set). */
export interface S3SourceInputs {
  uri: string
  endpoint?: string
  region?: string
  forcePathStyle?: string
  versionId?: string
}

/**
 * The source an s3-uri names, or undefined when it is empty (another setting given without it is refused). `uriName`
 * and `versionName` name the input or flag in messages; the endpoint, region and path style are read as the backup
 * action reads them.
 */
export function parseS3Source(
  inputs: S3SourceInputs,
  uriName = 's3-uri',
  versionName = 's3-version-id'
): S3Source | undefined {
  const uri = inputs.uri.trim()
  const versionId = (inputs.versionId ?? '').trim()
  if (!uri) {
    if (versionId)
      throw new ConfigurationError(`${versionName} is set but ${uriName} is empty: set ${uriName} or remove it`)
    parseS3Settings({ endpoint: inputs.endpoint, region: inputs.region })
    return undefined
  }
  const { key } = parseS3Uri(uri, uriName)
  const name = key.slice(key.lastIndexOf('/') + 1)
  if (name === '' || name === MANIFEST_FILE) {
    throw new ConfigurationError(
      `${uriName} must name the backup file's object (s3://bucket/prefix/<name>/<name>.db.zst.age, the backup step's s3-uri output), not ${name ? 'its manifest' : 'a prefix'}`
    )
  }
  if (versionId && !/^[\x21-\x7e]{1,1024}$/.test(versionId)) {
    throw new ConfigurationError(`${versionName} must be a version ID as the store gave it (printable, no spaces)`)
  }
  const settings = parseS3Settings({
    uri,
    endpoint: inputs.endpoint,
    region: inputs.region,
    forcePathStyle: inputs.forcePathStyle
  })
  const access: S3Access = { forcePathStyle: settings?.forcePathStyle ?? false }
  if (settings?.endpoint) access.endpoint = settings.endpoint
  if (settings?.region) access.region = settings.region
  return versionId ? { uri, access, versionId } : { uri, access }
}

export interface FetchedS3Backup extends FetchedBackup {
  /** The backup file's object as downloaded and checked. */
  object: DownloadedObject
  /** Whether a manifest.json was beside it. */
  manifest: boolean
}

/**
 * Downloads the backup file's object into `dir` (which must exist, private to this run) under its own name, then the
 * manifest.json beside it when there is one. `warn` hears, completing "manifest.json ...", why no facts were read.
 */
export async function fetchS3Backup(
  source: S3Source,
  dir: string,
  warn: (why: string) => void
): Promise<FetchedS3Backup> {
  const { key } = parseS3Uri(source.uri)
  const backupFile = path.join(dir, key.slice(key.lastIndexOf('/') + 1))
  const object = await downloadObject(
    source.access,
    source.uri,
    backupFile,
    source.versionId ? { versionId: source.versionId } : {}
  )
  const manifest = manifestUri(source.uri)
  if (!(await objectExists(source.access, manifest))) {
    warn(
      `is not beside it (${manifest}): the file's sha256 and the snapshot's revision cannot be checked against what the backup recorded; the snapshot is still verified`
    )
    return { backupFile, object, manifest: false }
  }
  const manifestFile = path.join(dir, MANIFEST_FILE)
  await downloadObject(source.access, manifest, manifestFile)
  const recorded = await readRecordedFacts(manifestFile, why => warn(`at ${manifest} ${why}; ignoring it`))
  return { backupFile, object, manifest: true, ...(recorded ? { recorded } : {}) }
}

/**
 * Whether the object is there: HEAD answers 404 for a missing key (AWS answers 403 instead when the credentials may
 * not list the bucket, which fails here as access denied rather than passing for a missing manifest).
 */
async function objectExists(access: S3Access, uri: string): Promise<boolean> {
  const { bucket, key } = parseS3Uri(uri)
  const s3 = await s3Client(access)
  try {
    await s3.client.send(new s3.sdk.HeadObjectCommand({ Bucket: bucket, Key: key }))
    return true
  } catch (e: unknown) {
    const status = (e as { $metadata?: { httpStatusCode?: unknown } } | null)?.$metadata?.httpStatusCode
    if (status === 404) return false
    throw s3Failure(e, { verb: 'download', bucket, key, endpoint: access.endpoint })
  } finally {
    s3.client.destroy()
  }
}
