import type { MemberStatus } from '../etcd/client.js'
import type { EtcdTools } from '../etcd/tools.js'
import type { Compression, Encryption } from '../format/layers.js'
import type { BackupFileResult } from '../pipeline/index.js'
import type { SnapshotReport } from '../verify/index.js'
import type { MemberHashKv } from './cluster-check.js'
import type { DrillReport } from './drill.js'
import type { TakenSnapshot, ToolSnapshotStatus } from './save.js'

/** Everything a backup run learned; the manifest and the summary are views of it. */
export interface BackupRecord {
  artifactName: string
  fileName: string
  compression: Compression
  encryption: Encryption
  member: MemberStatus
  memberReason: string
  tools: EtcdTools
  taken: TakenSnapshot
  file: BackupFileResult
  status: ToolSnapshotStatus
  native: SnapshotReport
  hashKV: MemberHashKv[]
  drill?: DrillReport
  finishedAt: Date
}
