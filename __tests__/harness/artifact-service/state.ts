/** What the emulator holds between requests: runs, artifact records, blobs; and the views of them tests read. */
import { randomInt, randomUUID } from 'node:crypto'
import type { BlockBlob } from './blob-store.js'
import type { Credentials } from './credentials.js'
import type { ArtifactRecord, StoredArtifact, WorkflowRun } from './types.js'

export const DAY_MS = 24 * 60 * 60 * 1000

export interface ServiceState {
  /** http://127.0.0.1:<port>, known once the server listens. */
  baseUrl: string
  repository: string
  defaultRetentionDays: number
  githubToken: string
  credentials: Credentials
  runs: WorkflowRun[]
  records: ArtifactRecord[]
  blobs: Map<string, BlockBlob>
  /** CreateArtifact refuses names matching this. */
  rejectedNames: RegExp | undefined
  nextArtifactId: number
}

export function addRun(state: ServiceState, runId?: number): WorkflowRun {
  const run = { runId: runId ?? 10_000_000_000 + randomInt(1_000_000_000), backendId: randomUUID() }
  state.runs.push(run)
  return run
}

/** A signed URL for a blob of this service. */
export function sign(state: ServiceState, blobPath: string, permissions: string): string {
  return state.credentials.sign(state.baseUrl, blobPath, permissions)
}

export function liveArtifacts(state: ServiceState, run: WorkflowRun): ArtifactRecord[] {
  const now = Date.now()
  return state.records.filter(r => r.run === run && r.finalized && !r.deleted && r.expiresAt.getTime() > now)
}

export function findFinalized(state: ServiceState, id: number): ArtifactRecord {
  const record = state.records.find(r => r.id === id && r.finalized && !r.deleted)
  if (!record) throw new Error(`no finalized artifact with id ${id}`)
  return record
}

export function storedArtifact(state: ServiceState, record: ArtifactRecord): StoredArtifact {
  const blob = state.blobs.get(record.blobPath)
  return {
    id: record.id,
    name: record.name,
    runId: record.run.runId,
    workflowRunBackendId: record.run.backendId,
    workflowJobRunBackendId: record.jobBackendId,
    size: record.size,
    digest: record.digest,
    createdAt: record.createdAt,
    expiresAt: record.expiresAt,
    retentionDays: Math.round((record.expiresAt.getTime() - record.createdAt.getTime()) / DAY_MS),
    retentionRequested: record.retentionRequested,
    contentType: blob?.contentType,
    zip: Buffer.concat(blob?.data ?? [])
  }
}
