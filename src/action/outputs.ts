import * as core from '@actions/core'
import type { BackupRecord } from '../backup/record.js'

/** The backup action's outputs (action.yml), from what the run learned. */
export function setBackupOutputs(record: BackupRecord, output: string): void {
  core.setOutput('snapshot-file', output)
  core.setOutput('file-sha256', record.file.fileSha256)
  core.setOutput('snapshot-sha256', record.file.snapshotTrailerSha256)
  core.setOutput('revision', record.status.revision)
  core.setOutput('total-keys', record.status.totalKey)
  core.setOutput('total-size', record.status.totalSize)
  core.setOutput('hash', record.status.hash)
  core.setOutput('live-keys', record.native.liveKeys)
  core.setOutput('hashkv', record.native.hashKV?.hash ?? '')
  core.setOutput('etcd-version', record.member.version)
  core.setOutput('endpoint', record.member.endpoint)
  core.setOutput('artifact-name', record.artifactName)
}
