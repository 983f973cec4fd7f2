import * as core from '@actions/core'
import { existsSync } from 'node:fs'
import { rmdir } from 'node:fs/promises'
import { dirname } from 'node:path'
import { errorMessage } from '../errors.js'
import { partialPath } from '../pipeline/index.js'
import { parseS3Inputs } from './s3-inputs.js'
import { State } from './state.js'
import { abortLeftoverUpload } from './upload.js'
import { removePath } from '../tempfiles.js'

/**
 * Runs after main whatever happened (post-if: always()): removes the plaintext snapshot and credential files, and
 * any half-written backup. Its own problems are warnings: the backup's verdict was main's to give.
 */
export async function run(): Promise<void> {
  const targets = [core.getState(State.PrivateDir)]
  const output = core.getState(State.OutputFile)
  if (output) targets.push(partialPath(output))
  // Main ended (killed) while the finished file was still being checked: it is not a backup.
  if (output && core.getState(State.OutputVerified) !== 'true') targets.push(output)
  for (const target of targets.filter(Boolean)) {
    try {
      if (!existsSync(target)) continue
      await removePath(target)
      core.info(`removed ${target}`)
    } catch (e: unknown) {
      core.warning(
        `could not remove ${target}: ${errorMessage(e)}; remove it by hand, it may hold the plaintext snapshot`
      )
    }
  }
  // The backup's folder is this run's (main records the file only once it made the folder); empty, it goes too.
  if (output && core.getState(State.OutputVerified) !== 'true') await rmdir(dirname(output)).catch(() => undefined)
  const s3Key = core.getState(State.S3Upload)
  if (s3Key) {
    try {
      const s3 = parseS3Inputs()
      const aborted = s3 ? await abortLeftoverUpload(s3, s3Key) : 0
      if (aborted) core.info(`aborted ${aborted} unfinished upload(s) of s3://${s3?.bucket}/${s3Key}`)
    } catch (e: unknown) {
      core.warning(
        `could not abort the unfinished upload of ${s3Key}: ${errorMessage(e)}; a lifecycle rule with AbortIncompleteMultipartUpload removes it`
      )
    }
  }
}
