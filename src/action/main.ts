import * as core from '@actions/core'
import { existsSync, promises as fs, rmSync } from 'node:fs'
import { runBackup, type BackupLog } from '../backup/index.js'
import { cleanUpOnCancel } from '../cancel.js'
import { killRunningTools } from '../etcd/process.js'
import { errorMessage } from '../errors.js'
import { partialPath } from '../pipeline/index.js'
import { makePrivateDir } from '../tempfiles.js'
import { choiceWarnings, getInputs } from './inputs.js'
import { setBackupOutputs } from './outputs.js'
import { State } from './state.js'
import { writeSummary } from './summary.js'
import { checkOffsite, copyOffsite, uploadArtifact } from './upload.js'

/** The backup action: inputs → the backup flow (save, gate, HashKV, drill) → upload → outputs and summary. */
export async function run(): Promise<void> {
  const leftovers: Leftovers = {}
  try {
    const settings = getInputs()
    const privateDir = await makePrivateDir(process.env['RUNNER_TEMP'] || undefined)
    core.saveState(State.PrivateDir, privateDir)
    leftovers.privateDir = privateDir
    removeOnCancel(leftovers)
    for (const warning of choiceWarnings(settings)) core.warning(warning)
    await checkOffsite(settings)

    const backup = await runBackup(settings, actionLog, {
      privateDir,
      created(outputDir, output) {
        leftovers.outputDir = outputDir
        core.saveState(State.OutputFile, output)
        leftovers.output = output
      }
    })
    leftovers.verified = true
    core.saveState(State.OutputVerified, 'true')
    setBackupOutputs(backup.record, backup.output)
    const offsite = settings.s3 ? await copyOffsite(settings.s3, backup) : undefined
    const upload = settings.upload ? await uploadArtifact(settings, backup) : undefined
    backup.record.finishedAt = new Date()
    await writeSummary(backup.record, upload, offsite)
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

/**
 * A cancelled job gets SIGINT then SIGTERM: stop etcdctl and remove the plaintext at once rather than trusting
 * that the post step gets to run. Post removes it again anyway.
 */
interface Leftovers {
  privateDir?: string
  /** The backup's folder, which this run created. */
  outputDir?: string
  output?: string
  /** Whether the backup file passed every check (the gate, HashKV, the drill). */
  verified?: boolean
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
    // Cancelled while the finished file was still being checked: it must not be left looking like a backup. The
    // folder is this run's (made with mkdir, which refuses one that exists) and holds nothing else yet.
    if (leftovers.outputDir && !leftovers.verified) rmSync(leftovers.outputDir, { recursive: true, force: true })
  }
  cleanUpOnCancel(
    { removeAllSync },
    signal => core.setFailed(`cancelled (${signal}); the plaintext snapshot was removed`),
    1
  )
}
