import * as core from '@actions/core'
import { existsSync } from 'node:fs'
import { errorMessage } from '../errors.js'
import { partialPath } from '../pipeline/index.js'
import { State } from './state.js'
import { removePath } from '../tempfiles.js'

/**
 * Runs after main whatever happened (post-if: always()): removes the plaintext snapshot and credential files, and
 * any half-written backup. Its own problems are warnings: the backup's verdict was main's to give.
 */
export async function run(): Promise<void> {
  const targets = [core.getState(State.PrivateDir)]
  const output = core.getState(State.OutputFile)
  if (output) targets.push(partialPath(output))
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
}
