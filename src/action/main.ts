import * as core from '@actions/core'
import { existsSync, promises as fs, rmSync } from 'node:fs'
import { runBackup, type BackupLog, type FinishedBackup } from '../backup/index.js'
import { cleanUpOnCancel } from '../cancel.js'
import { killRunningTools } from '../etcd/process.js'
import { ArtifactError, errorMessage } from '../errors.js'
import { partialPath } from '../pipeline/index.js'
import { makePrivateDir } from '../tempfiles.js'
import { getInputs, type BackupSettings } from './inputs.js'
import { sharedOutputDirWarning } from './output-dir.js'
import { setBackupOutputs } from './outputs.js'
import { State } from './state.js'
import { formatBytes } from '../bytes.js'
import { writeSummary, type UploadRecord } from './summary.js'

/** The backup action: inputs → the backup flow (save, gate, HashKV, drill) → upload → outputs and summary. */
export async function run(): Promise<void> {
  const leftovers: Leftovers = {}
  try {
    const settings = getInputs()
    const privateDir = await makePrivateDir(process.env['RUNNER_TEMP'] || undefined)
    core.saveState(State.PrivateDir, privateDir)
    leftovers.privateDir = privateDir
    removeOnCancel(leftovers)
    warnAboutChoices(settings)

    const backup = await runBackup(settings, actionLog, {
      privateDir,
      created(outputDir, output) {
        leftovers.outputDir = outputDir
        core.saveState(State.OutputFile, output)
        leftovers.output = output
      }
    })
    setBackupOutputs(backup.record, backup.output)
    const upload = settings.upload ? await uploadArtifact(settings, backup) : undefined
    backup.record.finishedAt = new Date()
    await writeSummary(backup.record, upload)
  } catch (e: unknown) {
    core.setFailed(errorMessage(e))
    // A HashKV asked early may still be running when the backup fails: nothing this run started outlives its verdict.
    killRunningTools()
    await removeUnfinishedOutput(leftovers)
  } finally {
    // The artifact client cannot be cancelled: a request still hanging after upload-timeout would hold the step open
    // until the job's own timeout. Once the verdict is given, nothing left running may delay it.
    setTimeout(() => process.exit(), 2_000).unref()
  }
}

const actionLog: BackupLog = {
  phase: (title, work) => core.group(title, work),
  info: line => core.info(line),
  warning: line => core.warning(line)
}

async function uploadArtifact(settings: BackupSettings, backup: FinishedBackup): Promise<UploadRecord> {
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

function warnAboutChoices(settings: BackupSettings): void {
  if (settings.encryption.kind === 'none') {
    core.warning('encryption: none — the backup holds every Secret of the cluster in the clear; anyone who can download the artifact can read them')
  }
  const shared = sharedOutputDirWarning(settings.outputDir)
  if (shared) core.warning(shared)
}

/**
 * A cancelled job gets SIGINT then SIGTERM: stop etcdctl and remove the plaintext at once rather than trusting
 * that the post step gets to run. Post removes it again anyway.
 */
interface Leftovers {
  privateDir?: string
  /** The backup's folder, which this run created. */
  outputDir?: string
  output?: string
}

/**
 * After a failure with no backup file to keep, the backup's folder goes too, so a rerun with the same artifact-name
 * is not refused for a folder that holds nothing. A backup file that was made (an upload failed) stays.
 */
async function removeUnfinishedOutput(leftovers: Leftovers): Promise<void> {
  if (!leftovers.outputDir || (leftovers.output && existsSync(leftovers.output))) return
  await fs.rm(leftovers.outputDir, { recursive: true, force: true })
}

function removeOnCancel(leftovers: Leftovers): void {
  const removeAllSync = (): void => {
    if (leftovers.privateDir) rmSync(leftovers.privateDir, { recursive: true, force: true })
    if (leftovers.output) rmSync(partialPath(leftovers.output), { force: true })
  }
  cleanUpOnCancel(
    { removeAllSync },
    signal => core.setFailed(`cancelled (${signal}); the plaintext snapshot was removed`),
    1
  )
}
