import { VerificationError } from '../errors.js'
import type { OfflineHashKv } from '../etcd/offline-hashkv.js'
import type { TakenSnapshot, ToolSnapshotStatus } from './save.js'
import type { BackupFileResult } from '../pipeline/index.js'
import { hasSnapshotSize, tooFewKeys, TRAILER_SIZE, type SnapshotReport } from '../verify/index.js'

export interface AcceptanceEvidence {
  taken: TakenSnapshot
  /** What the streaming pass measured while writing the backup file. */
  file: BackupFileResult
  /** etcd's own `snapshot status`: the second opinion. */
  status: ToolSnapshotStatus
  /** The native verifier's report on the same file. */
  native: SnapshotReport
  /** etcdutl 3.6's offline HashKV of the same file, when that etcdutl is at hand: the third opinion. */
  offlineHashKv?: OfflineHashKv
  minKeys: number
}

/**
 * The gate: a snapshot that fails any of these never leaves the machine. Each failure is one line naming the check.
 * etcd's own `snapshot status` checks neither the size nor the trailer, so those come first; then the native
 * verifier's structural verdict; then the two opinions must agree on every number, and etcdutl 3.6's offline HashKV
 * (when at hand) with the native verifier's.
 */
export function assertSnapshotAccepted({
  taken,
  file,
  status,
  native,
  offlineHashKv,
  minKeys
}: AcceptanceEvidence): void {
  const size = file.snapshotSize
  if (!hasSnapshotSize(size)) {
    throw new VerificationError(
      `snapshot size ${size} is not 512·n + 32 bytes: the file is truncated or not an etcd snapshot`
    )
  }
  if (file.snapshotDataSha256 !== file.snapshotTrailerSha256) {
    throw new VerificationError(
      `snapshot checksum mismatch: sha256 of the data is ${file.snapshotDataSha256} but etcd's trailer says ${file.snapshotTrailerSha256}`
    )
  }
  if (!native.valid) throw new VerificationError(`snapshot failed verification: ${native.errors[0] ?? 'unknown error'}`)
  if (native.size !== size) {
    throw new VerificationError(
      `the snapshot changed while it was being backed up (${native.size} bytes verified, ${size} bytes backed up)`
    )
  }
  // 3.6's etcdutl counts live keys where 3.4/3.5 count every bolt entry.
  const nativeTotalKey = status.totalKeyCounts === 'live-keys' ? native.liveKeys : native.status.totalKey
  const disagreements = (
    [
      ['hash', native.status.hash, status.hash],
      ['revision', native.status.revision, status.revision],
      ['totalKey', nativeTotalKey, status.totalKey],
      ['totalSize', native.status.totalSize, status.totalSize]
    ] as const
  ).filter(([, ours, theirs]) => ours !== theirs)
  if (disagreements.length) {
    const what = disagreements.map(([name, ours, theirs]) => `${name} ${ours} vs ${theirs}`).join(', ')
    throw new VerificationError(
      `the native verifier and ${status.tool} snapshot status disagree (${what}); the snapshot cannot be trusted`
    )
  }
  const ours = native.hashKV
  if (offlineHashKv && ours && (offlineHashKv.hash !== ours.hash || offlineHashKv.hashRevision !== ours.revision)) {
    throw new VerificationError(
      `the native verifier's HashKV ${ours.hash} at revision ${ours.revision} and ${offlineHashKv.tool} hashkv's ${offlineHashKv.hash} at revision ${offlineHashKv.hashRevision} disagree; the snapshot cannot be trusted`
    )
  }
  if (status.revision <= 0)
    throw new VerificationError(`snapshot revision is ${status.revision}; an etcd that has data has revision > 0`)
  if (status.revision < taken.revisionBefore || status.revision > taken.revisionAfter) {
    throw new VerificationError(
      `snapshot revision ${status.revision} is outside the member's revisions around the save (${taken.revisionBefore}..${taken.revisionAfter}); it is not a snapshot of this member now`
    )
  }
  const tooFew = tooFewKeys(native.liveKeys, minKeys, 'min-keys')
  if (tooFew) throw new VerificationError(tooFew)
  if (status.totalSize !== size - TRAILER_SIZE) {
    throw new VerificationError(
      `snapshot status reports ${status.totalSize} bytes but the file has ${size - TRAILER_SIZE} bytes of data`
    )
  }
}
