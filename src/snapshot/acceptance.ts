import { VerificationError } from '../errors.js'
import type { TakenSnapshot, ToolSnapshotStatus } from '../etcd/snapshot.js'
import type { BackupFileResult } from '../pipeline/index.js'

/** etcd pads a snapshot to 512-byte blocks, then appends its 32-byte sha256. */
const BLOCK = 512
const TRAILER = 32

export interface AcceptanceEvidence {
  taken: TakenSnapshot
  file: BackupFileResult
  status: ToolSnapshotStatus
  minKeys: number
}

/**
 * The gate: a snapshot that fails any of these never leaves the machine. Each failure is one line naming the check.
 * etcd's own `snapshot status` checks neither the size nor the trailer, so those come first.
 */
export function assertSnapshotAccepted({ taken, file, status, minKeys }: AcceptanceEvidence): void {
  const size = file.snapshotSize
  if (size % BLOCK !== TRAILER) {
    throw new VerificationError(`snapshot size ${size} is not 512·n + 32 bytes: the file is truncated or not an etcd snapshot`)
  }
  if (file.snapshotDataSha256 !== file.snapshotTrailerSha256) {
    throw new VerificationError(
      `snapshot checksum mismatch: sha256 of the data is ${file.snapshotDataSha256} but etcd's trailer says ${file.snapshotTrailerSha256}`
    )
  }
  if (status.revision <= 0) throw new VerificationError(`snapshot revision is ${status.revision}; an etcd that has data has revision > 0`)
  if (status.revision < taken.revisionBefore || status.revision > taken.revisionAfter) {
    throw new VerificationError(
      `snapshot revision ${status.revision} is outside the member's revisions around the save (${taken.revisionBefore}..${taken.revisionAfter}); it is not a snapshot of this member now`
    )
  }
  if (status.totalKey < minKeys) {
    throw new VerificationError(`snapshot holds ${status.totalKey} keys, fewer than min-keys ${minKeys}; is this the right cluster?`)
  }
  if (status.totalSize !== size - TRAILER && status.totalSize !== size) {
    throw new VerificationError(`snapshot status reports ${status.totalSize} bytes but the file has ${size - TRAILER} bytes of data`)
  }
}
