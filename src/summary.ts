import * as core from '@actions/core'
import type { MemberStatus } from './etcd/client.js'
import type { EtcdTools } from './etcd/tools.js'
import type { ToolSnapshotStatus, TakenSnapshot } from './etcd/snapshot.js'
import type { Compression, Encryption } from './inputs.js'
import type { BackupFileResult } from './pipeline/index.js'

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
  finishedAt: Date
}

export interface UploadRecord {
  id: number
  url: string
  size: number
  digest?: string
}

/** The artifact's manifest.json: non-secret facts that let anyone check and restore the file with public tools. */
export function buildManifest(record: BackupRecord): Record<string, unknown> {
  const { member, tools, taken, file, status, encryption } = record
  return {
    format: 'etcd-snapshot-action/manifest/v1',
    artifactName: record.artifactName,
    file: {
      name: record.fileName,
      size: file.fileSize,
      sha256: file.fileSha256,
      layers: describeLayers(record.compression, encryption),
      compression: record.compression,
      encryption: encryptionLabel(encryption),
      recipients: encryption.kind === 'age-recipients' ? encryption.recipientStrings : []
    },
    snapshot: {
      size: file.snapshotSize,
      sha256: file.snapshotTrailerSha256,
      revision: status.revision,
      totalKey: status.totalKey,
      totalSize: status.totalSize,
      hash: status.hash
    },
    etcd: {
      endpoint: member.endpoint,
      clusterId: member.clusterId,
      memberId: member.memberId,
      serverVersion: member.version,
      etcdctlVersion: tools.etcdctl.version,
      etcdutlVersion: tools.etcdutl?.version ?? null,
      revisionBefore: taken.revisionBefore,
      revisionAfter: taken.revisionAfter
    },
    startedAt: taken.startedAt.toISOString(),
    snapshotFinishedAt: taken.finishedAt.toISOString(),
    finishedAt: record.finishedAt.toISOString()
  }
}

function encryptionLabel(encryption: Encryption): string {
  return encryption.kind === 'age-recipients' ? 'age-x25519' : encryption.kind === 'age-passphrase' ? 'age-scrypt' : 'none'
}

/** The order in which the file was built, outermost last, so a restore knows what to undo. */
function describeLayers(compression: Compression, encryption: Encryption): string[] {
  const layers = ['etcd-snapshot']
  if (compression !== 'none') layers.push(compression)
  if (encryption.kind !== 'none') layers.push('age')
  return layers
}

/** The commands that recover this file with public tools alone. */
export function recoveryCommand(record: BackupRecord): string {
  const steps: string[] = []
  if (record.encryption.kind === 'age-recipients') steps.push(`age -d -i key.txt ${record.fileName}`)
  else if (record.encryption.kind === 'age-passphrase') steps.push(`age -d ${record.fileName}`)
  else steps.push(`cat ${record.fileName}`)
  if (record.compression === 'zstd') steps.push('zstd -d')
  if (record.compression === 'gzip') steps.push('gzip -d')
  return `${steps.join(' | ')} > snapshot.db`
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let value = n
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`
}

/** The job summary: what was backed up, from where, and how to get it back. */
export async function writeSummary(record: BackupRecord, upload: UploadRecord | undefined): Promise<void> {
  const { member, tools, file, status, taken } = record
  const seconds = ((record.finishedAt.getTime() - taken.startedAt.getTime()) / 1000).toFixed(1)
  const rows: Array<[string, string]> = [
    ['Member', `${member.endpoint} (${member.memberId}) — ${record.memberReason}`],
    ['Cluster', member.clusterId],
    ['etcd server / etcdctl / etcdutl', `${member.version} / ${tools.etcdctl.version} / ${tools.etcdutl?.version ?? '—'}`],
    ['Revision', String(status.revision)],
    ['Keys (all revisions)', String(status.totalKey)],
    ['Snapshot size', `${formatBytes(file.snapshotSize)} (${file.snapshotSize} bytes)`],
    ['Snapshot sha256 (etcd trailer, verified)', file.snapshotTrailerSha256],
    ['Status hash', String(status.hash)],
    ['Backup file', `${record.fileName} — ${formatBytes(file.fileSize)}, ${encryptionLabel(record.encryption)}`],
    ['Backup file sha256', file.fileSha256],
    ['Artifact', upload ? `<a href="${escapeHtml(upload.url)}">${escapeHtml(record.artifactName)}</a> (id ${upload.id})` : 'not uploaded (upload: false)'],
    ['Duration', `${seconds} s`]
  ]
  if (!process.env['GITHUB_STEP_SUMMARY']) return
  await core.summary
    .addHeading('etcd snapshot: verified and encrypted', 3)
    .addTable([[{ data: 'What', header: true }, { data: 'Value', header: true }], ...rows.map(([k, v]) => [k, k === 'Artifact' ? v : escapeHtml(v)])])
    .addRaw('Recover with public tools:', true)
    .addCodeBlock(`${recoveryCommand(record)}\netcdutl snapshot restore snapshot.db --data-dir NEW_DATA_DIR   # etcdctl on etcd 3.4`, 'sh')
    .write()
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}
