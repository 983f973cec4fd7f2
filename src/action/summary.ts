import * as core from '@actions/core'
import type { Compression, Encryption } from '../format/layers.js'
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

/** The artifact's manifest.json: non-secret facts that let anyone check and restore the file with public tools. */
export function buildManifest(record: BackupRecord): Record<string, unknown> {
  const { member, tools, taken, file, status, encryption, native } = record
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
      hash: status.hash,
      liveKeys: native.liveKeys,
      compactRevision: native.compactRevision,
      hashKV: native.hashKV ?? null,
      verifiedBy: ['native', status.tool]
    },
    cluster: {
      hashKV: record.hashKV.map(h => ({ endpoint: h.endpoint, outcome: h.outcome, hash: h.hash ?? null })),
      restoreDrill: record.drill
        ? { passed: true, seconds: record.drill.durations.total / 1000, etcdVersion: record.drill.etcdVersion }
        : null
    },
    kubernetes: native.kubernetes,
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
  const { member, tools, file, status, taken, native } = record
  const seconds = ((record.finishedAt.getTime() - taken.startedAt.getTime()) / 1000).toFixed(1)
  const rows: Array<[string, string]> = [
    ['Member', `${member.endpoint} (${member.memberId}) — ${record.memberReason}`],
    ['Cluster', member.clusterId],
    ['etcd server / etcdctl / etcdutl', `${member.version} / ${tools.etcdctl.version} / ${tools.etcdutl?.version ?? '—'}`],
    ['Revision', String(status.revision)],
    ['Live keys', String(native.liveKeys)],
    [`totalKey (${status.tool}: ${status.totalKeyCounts === 'live-keys' ? 'live keys' : 'all revisions'})`, String(status.totalKey)],
    ['Snapshot size', `${formatBytes(file.snapshotSize)} (${file.snapshotSize} bytes)`],
    ['Snapshot sha256 (etcd trailer, verified)', file.snapshotTrailerSha256],
    ['Status hash (native and etcd agree)', String(status.hash)],
    ['HashKV at the revision', describeHashKV(record)],
    ['Restore drill', record.drill ? `passed in ${(record.drill.durations.total / 1000).toFixed(1)} s (restore, boot etcd ${record.drill.etcdVersion}, same revision, live keys and HashKV)` : 'not run (restore-drill: false)'],
    ['Kubernetes', describeKubernetes(native)],
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
