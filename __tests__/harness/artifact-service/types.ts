/** The emulator's public API and the records it keeps of runs and artifacts. */

export type TwirpMethod =
  'CreateArtifact' | 'FinalizeArtifact' | 'ListArtifacts' | 'GetSignedArtifactURL' | 'DeleteArtifact'
export type BlobOperation = 'PutBlock' | 'PutBlockList' | 'PutBlob' | 'GetBlob' | 'GetBlobProperties'
export type RestOperation = 'ListRunArtifacts' | 'DownloadArtifactZip'
/** What a fault applies to: one operation, or 'blob' / 'rest' for every operation of that kind. */
export type FaultTarget = TwirpMethod | BlobOperation | RestOperation | 'blob' | 'rest'

export interface RecordedRequest {
  /** HTTP method. */
  method: string
  /** URL path without the query (signed URLs carry their signature in the query). */
  path: string
  operation: TwirpMethod | BlobOperation | RestOperation | 'unknown'
  /** Status answered; 0 while (or because) the request was left hanging. */
  status: number
  /** Request body length. */
  bodyBytes: number
}

export interface StoredArtifact {
  id: number
  name: string
  runId: number
  workflowRunBackendId: string
  workflowJobRunBackendId: string
  /** Size the client reported at finalize; equals zip.length when the upload was sound. */
  size: number
  /** The hash the client sent at finalize ("sha256:<hex>"). */
  digest: string | undefined
  createdAt: Date
  expiresAt: Date
  /** Whole days between creation and expiry (the retention the client asked for, or the default). */
  retentionDays: number
  /** Whether the client sent expires_at (retention-days given) rather than leaving it to the repository default. */
  retentionRequested: boolean
  contentType: string | undefined
  /** The committed blob: the zip the client built. */
  zip: Buffer
}

export interface ArtifactServiceOptions {
  /** owner/name; default 'example-org/cluster-backups'. */
  repository?: string
  /** GITHUB_RUN_ID of the primary run; random by default. */
  runId?: number
  /** Retention used when the client sends no expires_at, and GITHUB_RETENTION_DAYS; default 90. */
  defaultRetentionDays?: number
  /** The token REST calls must present (github-token); random by default. */
  githubToken?: string
}

export interface ArtifactService {
  /** http://127.0.0.1:<port> */
  url: string
  /** GITHUB_API_URL for the REST routes. @actions/github reads it when first imported, so set it before that. */
  apiUrl: string
  /** The token REST calls must carry. */
  githubToken: string
  runId: number
  /** Environment of a job in the primary run: set it in process.env before calling the client. */
  env: Record<string, string>
  /** Environment of a job in a new run of the same repository (for cross-run downloads). */
  newRunEnv(runId?: number): Record<string, string>
  /** Environment of another job in the primary run. */
  newJobEnv(): Record<string, string>
  /** Finalized, not deleted artifacts, oldest first. */
  artifacts(): StoredArtifact[]
  /** Entries of a stored artifact's zip, by name (directories left out), CRC-checked. */
  readZipEntries(id: number): Map<string, Buffer>
  /** Answer the next `times` requests to `target` with `status` (Twirp JSON or Azure XML error), then recover. */
  failNext(target: FaultTarget, times: number, status: number, message?: string): void
  /** Never answer the next `times` requests to `target` (the connection stays open until stop()). */
  hangNext(target: FaultTarget, times: number): void
  /** CreateArtifact refuses names matching this (invalid_argument, 400); undefined clears it. */
  rejectNames(pattern: RegExp | undefined): void
  /** A signed URL for the blob of a finalized artifact (what GetSignedArtifactURL answers). */
  signedDownloadUrl(id: number): string
  /** Replaces a finalized artifact's stored zip, keeping its recorded size and digest (damage in storage). */
  tamperZip(id: number, change: (zip: Buffer) => Buffer): void
  /**
   * Replaces a finalized artifact's zip with one the client did not build, recording its size and digest as an upload
   * of it would: a hostile artifact (a zip bomb) that passes the digest check.
   */
  replaceZip(id: number, zip: Buffer): void
  requests: RecordedRequest[]
  stop(): Promise<void>
}

export interface WorkflowRun {
  runId: number
  backendId: string
}

export interface ArtifactRecord {
  id: number
  name: string
  run: WorkflowRun
  jobBackendId: string
  blobPath: string
  createdAt: Date
  expiresAt: Date
  retentionRequested: boolean
  finalized: boolean
  deleted: boolean
  size: number
  digest: string | undefined
}
