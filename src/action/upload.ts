import * as core from '@actions/core'
import * as path from 'node:path'
import type { FinishedBackup } from '../backup/index.js'
import type { BackupSettings } from '../backup/settings.js'
import { formatBytes } from '../bytes.js'
import { ArtifactError, errorMessage } from '../errors.js'
import { S3Error } from '../s3/errors.js'
import type { S3Settings } from '../s3/settings.js'
import type { UploadRecord } from './summary.js'

/** Where the offsite copy went: the backup file's object and its manifest's. */
export interface OffsiteRecord {
  uri: string
  versionId?: string
  manifestUri: string
  retainUntil?: Date
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
    try {
      const file = await uploadFile(s3, backupKey(s3, artifactName, fileName), backup.output, {
        contentType: 'application/octet-stream'
      })
      core.info(
        `${file.uri}${file.versionId ? ` (version ${file.versionId})` : ''}: ${formatBytes(file.size)}, SHA-256 checked by the store${file.retainUntil ? `, locked until ${file.retainUntil.toISOString()}` : ''}`
      )
      const manifest = await uploadFile(
        s3,
        backupKey(s3, artifactName, path.basename(backup.manifestFile)),
        backup.manifestFile,
        {
          contentType: 'application/json'
        }
      )
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
