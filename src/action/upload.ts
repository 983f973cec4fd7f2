import * as core from '@actions/core'
import * as path from 'node:path'
import type { FinishedBackup } from '../backup/index.js'
import type { BackupSettings } from '../backup/settings.js'
import { formatBytes } from '../bytes.js'
import { ArtifactError, errorMessage } from '../errors.js'
import { backupFileName } from '../format/file-name.js'
import { S3Error } from '../s3/errors.js'
import type { S3Settings } from '../s3/settings.js'
import { State } from './state.js'
import type { UploadRecord } from './summary.js'

/**
 * 8 MiB parts, 3 in flight: what the upload holds in memory stays small beside the backup's own (24 MiB plus the
 * part being filled), and a 1 GB backup still goes in 128 parts, far below S3's 10,000.
 */
const PART_SIZE = 8 * 1024 * 1024
const PARTS_IN_FLIGHT = 3

/** Where the offsite copy went: the backup file's object and its manifest's. */
export interface OffsiteRecord {
  uri: string
  versionId?: string
  manifestUri: string
  retainUntil?: Date
}

/**
 * Before the backup: the bucket is there, the credentials work and, with a lock asked for, the bucket has Object
 * Lock; so that a mistake there fails in seconds, before the snapshot is taken.
 */
export async function checkOffsite(settings: BackupSettings): Promise<void> {
  const { s3, artifactName } = settings
  if (!s3) return
  const { backupKey, checkDestination } = await import('../s3/index.js')
  const key = backupKey(s3, artifactName, backupFileName(artifactName, settings.compression, settings.encryption))
  await checkDestination(s3, key)
  core.info(`s3://${s3.bucket}/${key}: the bucket answers${s3.objectLock ? ' and has Object Lock' : ''}`)
}

/**
 * After main: aborts the offsite upload main left unfinished (it died, or the store was gone when it tried), so no
 * part stays stored and billed. Main records the key while it uploads; nothing is done when it finished.
 */
export async function abortLeftoverUpload(s3: S3Settings, key: string): Promise<number> {
  const { abortUnfinishedUploads } = await import('../s3/index.js')
  return abortUnfinishedUploads(s3, key)
}

/**
 * The backup's two files as objects under `<prefix><artifact-name>/` in S3 or an S3-compatible store, each with the
 * SHA-256 the store verifies, with Object Lock retention when asked; only a backup that passed every check gets here.
 * A failure fails the job and keeps the local file, as a failed artifact upload does.
 */
export async function copyOffsite(s3: S3Settings, backup: FinishedBackup): Promise<OffsiteRecord> {
  return core.group('Copy to object storage', async () => {
    // Loaded only now, as the artifact client is: the SDK is a large part of the bundle, and a run without s3-uri
    // never needs it.
    const { backupKey, uploadFile } = await import('../s3/index.js')
    const { artifactName, fileName } = backup.record
    const uploadOf = async (key: string, file: string, contentType: string) => {
      // Should this process die mid-upload, or the store be gone when the upload is aborted, the post step tries
      // the abort again.
      core.saveState(State.S3Upload, key)
      const done = await uploadFile(s3, key, file, { contentType, partSize: PART_SIZE, queueSize: PARTS_IN_FLIGHT })
      core.saveState(State.S3Upload, '')
      return done
    }
    try {
      const file = await uploadOf(backupKey(s3, artifactName, fileName), backup.output, 'application/octet-stream')
      core.info(
        `${file.uri}${file.versionId ? ` (version ${file.versionId})` : ''}: ${formatBytes(file.size)}, SHA-256 checked by the store${file.retainUntil ? `, locked until ${file.retainUntil.toISOString()}` : ''}`
      )
      const manifestKey = backupKey(s3, artifactName, path.basename(backup.manifestFile))
      const manifest = await uploadOf(manifestKey, backup.manifestFile, 'application/json')
      core.info(`${manifest.uri}${manifest.versionId ? ` (version ${manifest.versionId})` : ''}`)
      core.setOutput('s3-uri', file.uri)
      core.setOutput('s3-version-id', file.versionId ?? '')
      return { uri: file.uri, versionId: file.versionId, manifestUri: manifest.uri, retainUntil: file.retainUntil }
    } catch (e: unknown) {
      throw new S3Error(`${errorMessage(e)}; the encrypted backup is kept at ${backup.output}`)
    }
  })
}

/** The backup's folder (file and manifest) as a workflow artifact. */
export async function uploadArtifact(settings: BackupSettings, backup: FinishedBackup): Promise<UploadRecord> {
  const upload = await core.group('Upload the artifact', async () => {
    try {
      // Loaded only now: the artifact client is most of the bundle and ~25 MiB of memory that the snapshot, the
      // pipeline and the structure walk are better off without (and `upload: false` never needs).
      const { uploadBackup } = await import('./artifact.js')
      const done = await uploadBackup({
        name: settings.artifactName,
        files: [backup.output, backup.manifestFile],
        rootDirectory: backup.outputDir,
        retentionDays: settings.retentionDays,
        timeoutMs: settings.uploadTimeoutMs
      })
      core.info(`artifact ${settings.artifactName} (id ${done.id}, ${formatBytes(done.size)}): ${done.url}`)
      return done
    } catch (e: unknown) {
      throw new ArtifactError(`${errorMessage(e)}; the encrypted backup is kept at ${backup.output}`)
    }
  })
  core.setOutput('artifact-id', upload.id)
  core.setOutput('artifact-url', upload.url)
  return upload
}
