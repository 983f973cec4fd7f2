import * as core from '@actions/core'
import { errorMessage } from '../errors.js'
import { removePath } from '../tempfiles.js'

/**
 * Names of the values the restore step hands to its post step. Each is saved only once this run has created the
 * path, so the post step never removes something that was there before.
 */
export enum RestoreState {
  /** The 0700 dir holding the downloaded (encrypted) backup and any drill or temp files. */
  PrivateDir = 'restore-private-dir',
  /** The 0700 dir beside the snapshot file where it is decrypted and verified before it takes its name. */
  StagingDir = 'restore-staging-dir',
  /** The plaintext snapshot written for later steps of the job. */
  SnapshotFile = 'restore-snapshot-file'
}

/**
 * Runs after the job's steps whatever happened: removes the plaintext snapshot, its staging dir and the private dir.
 * A restored data dir is what the user asked for and is left alone. Problems are warnings.
 */
export async function run(): Promise<void> {
  const targets = [RestoreState.SnapshotFile, RestoreState.StagingDir, RestoreState.PrivateDir].map(name =>
    core.getState(name)
  )
  for (const target of targets.filter(Boolean)) {
    try {
      await removePath(target)
      core.info(`removed ${target}`)
    } catch (e: unknown) {
      core.warning(
        `could not remove ${target}: ${errorMessage(e)}; remove it by hand, it may hold the plaintext snapshot`
      )
    }
  }
}
