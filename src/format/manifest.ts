/**
 * manifest.json: the non-secret facts a backup stores beside its file, so that anyone can check and restore it with
 * public tools. The backup writes it with buildManifest; a restore reads the facts it checks with parseManifest.
 */
import { ManifestError } from '../errors.js'
import type { HashKvResult, KubernetesInventory } from '../verify/index.js'
import {
  describeLayers,
  encryptionLabel,
  type Compression,
  type Encryption,
  type EncryptionLabel,
  type Layer
} from './layers.js'

/** The format field, and the version: a reader refuses a manifest that names another. */
export const MANIFEST_FORMAT = 'etcd-snapshot-action/manifest/v1'

export interface Manifest {
  format: typeof MANIFEST_FORMAT
  artifactName: string
  file: {
    name: string
    size: number
    sha256: string
    /** Innermost first: 'etcd-snapshot', then the compression, then 'age'. */
    layers: Array<'etcd-snapshot' | Layer>
    compression: Compression
    encryption: EncryptionLabel
    /** The age recipients (public keys) for age-x25519; empty otherwise. */
    recipients: string[]
  }
  snapshot: {
    /** Bytes, sha256 trailer included. */
    size: number
    /** etcd's sha256 trailer. */
    sha256: string
    revision: number
    totalKey: number
    totalSize: number
    hash: number
    liveKeys: number
    compactRevision: number
    hashKV: HashKvResult | null
    verifiedBy: string[]
  }
  cluster: {
    hashKV: Array<{ endpoint: string; outcome: string; hash: number | null }>
    restoreDrill: { passed: true; seconds: number; etcdVersion: string } | null
  }
  kubernetes: KubernetesInventory
  etcd: {
    endpoint: string
    clusterId: string
    memberId: string
    serverVersion: string
    etcdctlVersion: string
    etcdutlVersion: string | null
    revisionBefore: number
    revisionAfter: number
  }
  startedAt: string
  snapshotFinishedAt: string
  finishedAt: string
}

/** What a backup run learned that the manifest records (the backup's BackupRecord has this shape and more). */
export interface ManifestFacts {
  artifactName: string
  fileName: string
  compression: Compression
  encryption: Encryption
  member: { endpoint: string; clusterId: string; memberId: string; version: string }
  tools: { etcdctl: { version: string }; etcdutl?: { version: string } }
  taken: { revisionBefore: number; revisionAfter: number; startedAt: Date; finishedAt: Date }
  file: { fileSize: number; fileSha256: string; snapshotSize: number; snapshotTrailerSha256: string }
  status: { revision: number; totalKey: number; totalSize: number; hash: number; tool: string }
  native: { liveKeys: number; compactRevision: number; hashKV?: HashKvResult; kubernetes: KubernetesInventory }
  hashKV: Array<{ endpoint: string; outcome: string; hash?: number }>
  drill?: { durations: { total: number }; etcdVersion: string }
  finishedAt: Date
}

export function buildManifest(facts: ManifestFacts): Manifest {
  const { member, tools, taken, file, status, encryption, native } = facts
  return {
    format: MANIFEST_FORMAT,
    artifactName: facts.artifactName,
    file: {
      name: facts.fileName,
      size: file.fileSize,
      sha256: file.fileSha256,
      layers: describeLayers(facts.compression, encryption),
      compression: facts.compression,
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
      hashKV: facts.hashKV.map(h => ({ endpoint: h.endpoint, outcome: h.outcome, hash: h.hash ?? null })),
      restoreDrill: facts.drill
        ? { passed: true, seconds: facts.drill.durations.total / 1000, etcdVersion: facts.drill.etcdVersion }
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
    finishedAt: facts.finishedAt.toISOString()
  }
}

/** The manifest as written to the file. */
export function serializeManifest(manifest: Manifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`
}

/**
 * What a restore checks a backup against. Every fact is optional: a manifest may come from an older release or be
 * written by hand, and only what it holds is checked.
 */
export interface RecordedFacts {
  /** file.name: the backup file the manifest describes. */
  fileName?: string
  /** file.sha256: the backup file's sha256. */
  fileSha256?: string
  /** snapshot.size: the plaintext snapshot's size, which bounds an unpack. */
  snapshotSize?: number
  /** snapshot.sha256: etcd's sha256 trailer. */
  snapshotSha256?: string
  /** snapshot.revision. */
  revision?: number
}

/**
 * Reads manifest.json's text. Throws one line (ManifestError) for text that is not JSON, not an object, names
 * another format, or holds a checked fact of the wrong type.
 */
export function parseManifest(text: string): RecordedFacts {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw new ManifestError('is not valid JSON')
  }
  if (!isObject(parsed)) throw new ManifestError('is not a JSON object')
  const format = parsed['format']
  if (format !== undefined && format !== MANIFEST_FORMAT) {
    throw new ManifestError(`has format ${JSON.stringify(format)}; this release reads ${MANIFEST_FORMAT}`)
  }
  const file = section(parsed, 'file')
  const snapshot = section(parsed, 'snapshot')
  const facts: RecordedFacts = {
    fileName: field(file, 'file.name', 'string'),
    fileSha256: field(file, 'file.sha256', 'string'),
    snapshotSize: field(snapshot, 'snapshot.size', 'number'),
    snapshotSha256: field(snapshot, 'snapshot.sha256', 'string'),
    revision: field(snapshot, 'snapshot.revision', 'number')
  }
  for (const [name, value] of [
    ['snapshot.size', facts.snapshotSize],
    ['snapshot.revision', facts.revision]
  ] as const) {
    if (value !== undefined && (!Number.isSafeInteger(value) || value < 0)) {
      throw new ManifestError(`has ${name} ${value}, not a whole number`)
    }
  }
  return facts
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function section(manifest: Record<string, unknown>, name: string): Record<string, unknown> | undefined {
  const value = manifest[name]
  if (value === undefined || value === null) return undefined
  if (!isObject(value)) throw new ManifestError(`has a ${name} that is not an object`)
  return value
}

function field(section: Record<string, unknown> | undefined, name: string, type: 'string'): string | undefined
function field(section: Record<string, unknown> | undefined, name: string, type: 'number'): number | undefined
function field(
  section: Record<string, unknown> | undefined,
  name: string,
  type: 'string' | 'number'
): string | number | undefined {
  const value = section?.[name.slice(name.indexOf('.') + 1)]
  if (value === undefined || value === null) return undefined
  if (typeof value !== type) throw new ManifestError(`has ${name} ${JSON.stringify(value)}, not a ${type}`)
  return value as string | number
}
