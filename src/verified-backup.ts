import { promises as fs } from 'node:fs'
import type { Etcdctl, MemberStatus } from './etcd/client.js'
import { saveSnapshot, toolSnapshotStatus, type TakenSnapshot, type ToolSnapshotStatus } from './etcd/snapshot.js'
import type { EtcdTools } from './etcd/tools.js'
import type { BackupSettings } from './inputs.js'
import { FollowedFile } from './pipeline/follow.js'
import { writeBackupFile, type BackupFileResult } from './pipeline/index.js'
import { assertSnapshotAccepted } from './snapshot/acceptance.js'
import { verifySnapshot, type SnapshotReport } from './snapshot/index.js'

export interface VerifiedBackup {
  taken: TakenSnapshot
  file: BackupFileResult
  /** etcd's own `snapshot status` (the second opinion). */
  status: ToolSnapshotStatus
  /** The native verifier's report: structure, status, HashKV, live keys, Kubernetes inventory. */
  native: SnapshotReport
}

/**
 * Takes the snapshot and makes the encrypted backup file from it, with every check on the way:
 * - the pipeline follows etcdctl's `.part` file as it grows, so hashing, compression and encryption overlap with etcd
 *   streaming the snapshot;
 * - once the save is done, etcd's own `snapshot status` and the native verifier's structure walk read the finished
 *   file (from the page cache) while the pipeline drains; the verifier takes the data's sha256 from the pipeline;
 * - then the gate. On any failure the backup file is removed: nothing unverified is left looking like a backup.
 */
export async function writeVerifiedBackup(opts: {
  etcdctl: Etcdctl
  tools: EtcdTools
  member: MemberStatus
  snapshotFile: string
  output: string
  settings: BackupSettings
}): Promise<VerifiedBackup> {
  const { etcdctl, tools, member, snapshotFile, output, settings } = opts
  const saving = saveSnapshot(etcdctl, member, snapshotFile, settings.timeoutMs)
  const source = new FollowedFile({ growing: `${snapshotFile}.part`, final: snapshotFile }, saving)
  const writing = writeBackupFile({ source, output, ...settings })
  const [saved, written, status, native] = await Promise.allSettled([
    saving,
    writing,
    saving.then(async () => toolSnapshotStatus(tools, snapshotFile)),
    // The walk starts once the save is done; the data's sha256 comes from the pipeline, not a second hash.
    saving.then(async () =>
      verifySnapshot(snapshotFile, { requiredKeys: settings.requiredKeys, dataSha256: writing.then(w => w.snapshotDataSha256) })
    )
  ])
  try {
    // The save's own failure explains the others (the pipeline and the checks fail because it did).
    for (const outcome of [saved, written, status, native]) if (outcome.status === 'rejected') throw outcome.reason
    const result = {
      taken: (saved as PromiseFulfilledResult<TakenSnapshot>).value,
      file: (written as PromiseFulfilledResult<BackupFileResult>).value,
      status: (status as PromiseFulfilledResult<ToolSnapshotStatus>).value,
      native: (native as PromiseFulfilledResult<SnapshotReport>).value
    }
    assertSnapshotAccepted({ ...result, minKeys: settings.minKeys })
    return result
  } catch (e: unknown) {
    await fs.rm(output, { force: true })
    throw e
  }
}
