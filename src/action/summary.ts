import * as core from '@actions/core'
import { encryptionLabel } from '../format/layers.js'
import { formatBytes } from '../bytes.js'
import type { SnapshotReport } from '../verify/index.js'
import { printable } from '../verify/printable.js'
import type { BackupRecord } from '../backup/record.js'

export type { BackupRecord }

export interface UploadRecord {
  id: number
  url: string
  size: number
  digest?: string
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

/** The job summary: what was backed up, from where, and how to get it back. */
export async function writeSummary(
  record: BackupRecord,
  upload: UploadRecord | undefined,
  offsite?: { uri: string; versionId?: string; retainUntil?: Date }
): Promise<void> {
  const { member, tools, file, status, taken, native } = record
  const seconds = ((record.finishedAt.getTime() - taken.startedAt.getTime()) / 1000).toFixed(1)
  const rows: Array<[string, string]> = [
    ['Member', `${member.endpoint} (${member.memberId}) — ${record.memberReason}`],
    ['Cluster', member.clusterId],
    [
      'etcd server / etcdctl / etcdutl',
      `${member.version} / ${tools.etcdctl.version} / ${tools.etcdutl?.version ?? '—'}`
    ],
    ['Revision', String(status.revision)],
    ['Live keys', String(native.liveKeys)],
    [
      `totalKey (${status.tool}: ${status.totalKeyCounts === 'live-keys' ? 'live keys' : 'all revisions'})`,
      String(status.totalKey)
    ],
    ['Snapshot size', `${formatBytes(file.snapshotSize)} (${file.snapshotSize} bytes)`],
    ['Snapshot sha256 (etcd trailer, verified)', file.snapshotTrailerSha256],
    ['Status hash (native and etcd agree)', String(status.hash)],
    ['HashKV at the revision', describeHashKV(record)],
    [
      'Restore drill',
      record.drill
        ? `passed in ${(record.drill.durations.total / 1000).toFixed(1)} s (restore, boot etcd ${record.drill.etcdVersion}, same revision, live keys and HashKV)`
        : 'not run (restore-drill: false)'
    ],
    ['Kubernetes', describeKubernetes(native)],
    ['Backup file', `${record.fileName} — ${formatBytes(file.fileSize)}, ${encryptionLabel(record.encryption)}`],
    ['Backup file sha256', file.fileSha256],
    [
      'Artifact',
      upload
        ? `<a href="${escapeHtml(upload.url)}">${escapeHtml(record.artifactName)}</a> (id ${upload.id})`
        : 'not uploaded (upload: false)'
    ],
    [
      'Object storage',
      offsite
        ? `${offsite.uri}${offsite.versionId ? ` (version ${offsite.versionId})` : ''}${offsite.retainUntil ? `, Object Lock until ${offsite.retainUntil.toISOString()}` : ''}`
        : 'no offsite copy (s3-uri empty)'
    ],
    ['Duration', `${seconds} s`]
  ]
  if (!process.env['GITHUB_STEP_SUMMARY']) return
  await core.summary
    .addHeading('etcd snapshot: verified and encrypted', 3)
    .addTable([
      [
        { data: 'What', header: true },
        { data: 'Value', header: true }
      ],
      ...rows.map(([k, v]) => [k, k === 'Artifact' ? v : escapeHtml(v)])
    ])
    .addRaw('Recover with public tools:', true)
    .addCodeBlock(
      `${recoveryCommand(record)}\netcdutl snapshot restore snapshot.db --data-dir NEW_DATA_DIR   # etcdctl on etcd 3.4`,
      'sh'
    )
    .write()
}

function describeHashKV(record: BackupRecord): string {
  const ours = record.native.hashKV
  const matched = record.hashKV.filter(h => h.outcome === 'match').length
  const skipped = record.hashKV.filter(h => h.outcome !== 'match').map(h => `${h.endpoint} ${h.outcome}`)
  return `${ours?.hash ?? '—'}: matches ${matched} of ${record.hashKV.length} members${skipped.length ? ` (${skipped.join(', ')})` : ''}`
}

function describeKubernetes(native: SnapshotReport): string {
  const k = native.kubernetes
  const top = Object.entries(k.resources)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 8)
    .map(([r, n]) => `${printable(r)} ${n}`)
    .join(', ')
  const secrets =
    k.secrets.total === 0
      ? 'no Secrets'
      : k.secrets.plaintext === 0
        ? `${k.secrets.total} Secrets, all encrypted at rest`
        : `${k.secrets.total} Secrets, ${k.secrets.plaintext} NOT encrypted at rest`
  return `${k.objects} objects in ${k.namespaceCount} namespaces; ${secrets}; ${top}`
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}
