import { promises as fs } from 'node:fs'
import type { EtcdClient, MemberStatus } from '../etcd/client.js'
import { offlineHashKv, type OfflineHashKv } from '../etcd/offline-hashkv.js'
import { takeSnapshot, toolSnapshotStatus, type TakenSnapshot, type ToolSnapshotStatus } from './save.js'
import type { EtcdTools } from '../etcd/tools.js'
import type { BackupSettings } from './settings.js'
import { writeBackupFile, type BackupFileResult } from '../pipeline/index.js'
import { assertSnapshotAccepted } from './gate.js'
import { verifySnapshot, type SnapshotReport } from '../verify/index.js'
import { peekRevision } from '../verify/peek.js'

export interface VerifiedBackup {
  taken: TakenSnapshot
  file: BackupFileResult
  /** etcd's own `snapshot status` (the second opinion). */
  status: ToolSnapshotStatus
  /** The native verifier's report: structure, status, HashKV, live keys, Kubernetes inventory. */
  native: SnapshotReport
  /** etcdutl 3.6's offline HashKV of the file (the third opinion), when that etcdutl is at hand. */
  offlineHashKv?: OfflineHashKv
}

/**
 * Takes the snapshot and makes the encrypted backup file from it, with every check on the way:
 * - etcd's snapshot stream goes straight into the pipeline (plaintext copy, sha256, compression, encryption, sha256
 *   of the output) in one pass: nothing reads the snapshot back to hash, compress or encrypt it;
 * - once the stream ends, the native verifier's structure walk (which takes the data's sha256 from the pipeline),
 *   etcd's own `snapshot status` and, with etcdutl 3.6+, its offline `hashkv` read the plaintext copy side by side
 *   (and `revisionRead` may start more);
 * - then the gate. On any failure the backup file is removed: nothing unverified is left looking like a backup.
 */
export async function writeVerifiedBackup(opts: {
  etcd: EtcdClient
  tools: EtcdTools
  member: MemberStatus
  snapshotFile: string
  output: string
  settings: BackupSettings
  /**
   * Called once the stream has ended with the snapshot's revision as read from the file's last key, before the
   * walk proves it (see peekRevision), so that work which needs the revision can start now; not called when it
   * cannot be read.
   */
  revisionRead?: (revision: number) => void
}): Promise<VerifiedBackup> {
  const { tools, snapshotFile, output, settings } = opts
  const { taken, consumed: file } = await takeSnapshot({
    ...opts,
    file: snapshotFile,
    timeoutMs: settings.timeoutMs,
    consume: async source => writeBackupFile({ source, plaintextCopy: snapshotFile, output, ...settings })
  }).catch(async (e: unknown) => {
    await fs.rm(output, { force: true })
    throw e
  })
  const revision = opts.revisionRead ? peekRevision(snapshotFile) : undefined
  if (revision !== undefined) opts.revisionRead?.(revision)
  const [status, native, offline] = await Promise.allSettled([
    toolSnapshotStatus(tools, snapshotFile),
    verifySnapshot(snapshotFile, { requiredKeys: settings.requiredKeys, dataSha256: file.snapshotDataSha256 }),
    offlineHashKv(tools, snapshotFile, settings.timeoutMs)
  ])
  try {
    for (const outcome of [status, native, offline]) if (outcome.status === 'rejected') throw outcome.reason
    const result = {
      taken,
      file,
      status: (status as PromiseFulfilledResult<ToolSnapshotStatus>).value,
      native: (native as PromiseFulfilledResult<SnapshotReport>).value,
      offlineHashKv: (offline as PromiseFulfilledResult<OfflineHashKv | undefined>).value
    }
    assertSnapshotAccepted({ ...result, minKeys: settings.minKeys })
    return result
  } catch (e: unknown) {
    await fs.rm(output, { force: true })
    throw e
  }
}
