/**
 * A local stand-in for GitHub's artifact service (v4 "results" service), good enough for the real
 * @actions/artifact 6 client to upload and download through it unchanged:
 *
 * - Twirp JSON at POST /twirp/github.actions.results.api.v1.ArtifactService/<Method>. Requests carry the proto field
 *   names (snake_case, int64 as strings, wrappers as bare values); every answer is JSON, errors as Twirp's {code,msg}.
 * - An Azure block-blob endpoint under /blob/... that the signed URLs point at: Put Block, Put Block List, Put Blob,
 *   Get Blob (with Range) and Get Blob Properties (HEAD), each checking the URL's signature, expiry and permission.
 * - The two GitHub REST routes the client uses for another run's artifacts, under /api (GITHUB_API_URL):
 *   GET /repos/{o}/{r}/actions/runs/{run}/artifacts[?name=] and GET /repos/{o}/{r}/actions/artifacts/{id}/zip (302).
 *
 * Fault injection (failNext, hangNext, rejectNames) and a request log let tests drive the client's error paths.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { createHash, createHmac, randomBytes, randomInt, randomUUID, timingSafeEqual } from 'node:crypto'
import { Readable } from 'node:stream'
import { crc32, inflateRawSync } from 'node:zlib'

const TWIRP_PREFIX = '/twirp/github.actions.results.api.v1.ArtifactService/'
const AZURE_API_VERSION = '2025-01-05'
const DAY_MS = 24 * 60 * 60 * 1000

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

interface WorkflowRun {
  runId: number
  backendId: string
}

interface ArtifactRecord {
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

interface BlockBlob {
  /** Each block as the request body's chunks arrived: joining them would copy every upload once more. */
  uncommitted: Map<string, Buffer[]>
  committedIds: string[]
  committedBlocks: Map<string, Buffer[]>
  /** The committed content, as the chunks of the blocks it was committed from (no copy: large uploads stay cheap). */
  data: Buffer[] | undefined
  size: number
  contentType: string | undefined
  contentMd5: string | undefined
  etag: string
  lastModified: Date
  createdAt: Date
}

interface Fault {
  target: FaultTarget
  remaining: number
  status: number
  message: string | undefined
  hang: boolean
}

class HttpFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string
  ) {
    super(message)
  }
}

const TWIRP_METHODS: readonly TwirpMethod[] = [
  'CreateArtifact',
  'FinalizeArtifact',
  'ListArtifacts',
  'GetSignedArtifactURL',
  'DeleteArtifact'
]

/** Twirp's error codes for the HTTP statuses a test may inject. */
function twirpCodeFor(status: number): string {
  const codes: Record<number, string> = {
    400: 'invalid_argument',
    401: 'unauthenticated',
    403: 'permission_denied',
    404: 'not_found',
    408: 'deadline_exceeded',
    409: 'already_exists',
    412: 'failed_precondition',
    429: 'resource_exhausted',
    500: 'internal',
    501: 'unimplemented',
    503: 'unavailable'
  }
  return codes[status] ?? (status >= 500 ? 'unavailable' : 'invalid_argument')
}

/** Azure's x-ms-error-code for the HTTP statuses a test may inject. */
function azureCodeFor(status: number): string {
  const codes: Record<number, string> = {
    400: 'InvalidInput',
    403: 'AuthenticationFailed',
    404: 'BlobNotFound',
    409: 'BlobAlreadyExists',
    413: 'RequestBodyTooLarge',
    500: 'InternalError',
    503: 'ServerBusy'
  }
  return codes[status] ?? (status >= 500 ? 'InternalError' : 'InvalidInput')
}

function base64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url')
}

function xmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

function xmlUnescape(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&')
}

function md5Base64(chunks: readonly Buffer[]): string {
  const hash = createHash('md5')
  for (const chunk of chunks) hash.update(chunk)
  return hash.digest('base64')
}

function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined
}

export async function startArtifactService(opts: ArtifactServiceOptions = {}): Promise<ArtifactService> {
  const secret = randomBytes(32)
  const repository = opts.repository ?? 'example-org/cluster-backups'
  const defaultRetentionDays = opts.defaultRetentionDays ?? 90
  const githubToken = opts.githubToken ?? `ghs_${randomBytes(18).toString('hex')}`
  const runs: WorkflowRun[] = []
  const records: ArtifactRecord[] = []
  const blobs = new Map<string, BlockBlob>()
  const faults: Fault[] = []
  const requests: RecordedRequest[] = []
  const hung = new Map<http.ServerResponse, 'twirp' | 'blob' | 'rest'>()
  let rejectedNames: RegExp | undefined
  let nextArtifactId = 4000 + randomInt(1000)
  let baseUrl = ''

  function addRun(runId?: number): WorkflowRun {
    const run = { runId: runId ?? 10_000_000_000 + randomInt(1_000_000_000), backendId: randomUUID() }
    runs.push(run)
    return run
  }

  /** An ACTIONS_RUNTIME_TOKEN: HS256 JWT whose scp names the run and job, as the runner's does. */
  function runtimeToken(run: WorkflowRun, jobBackendId: string): string {
    const header = base64url(JSON.stringify({ typ: 'JWT', alg: 'HS256' }))
    const now = Math.floor(Date.now() / 1000)
    const payload = base64url(
      JSON.stringify({
        scp: `Actions.ExampleScope Actions.Results:${run.backendId}:${jobBackendId}`,
        iss: 'artifact-service-emulator',
        nbf: now - 60,
        exp: now + 6 * 3600
      })
    )
    const signature = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url')
    return `${header}.${payload}.${signature}`
  }

  function envFor(run: WorkflowRun, jobBackendId: string): Record<string, string> {
    return {
      ACTIONS_RUNTIME_TOKEN: runtimeToken(run, jobBackendId),
      ACTIONS_RESULTS_URL: `${baseUrl}/`,
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_API_URL: `${baseUrl}/api`,
      GITHUB_REPOSITORY: repository,
      GITHUB_REPOSITORY_OWNER: repository.split('/')[0] ?? '',
      GITHUB_RUN_ID: String(run.runId),
      GITHUB_RUN_ATTEMPT: '1',
      GITHUB_RETENTION_DAYS: String(defaultRetentionDays)
    }
  }

  /** The run and job a bearer token speaks for; throws unauthenticated when it is not one of ours. */
  function authenticate(req: http.IncomingMessage): { run: WorkflowRun; jobBackendId: string } {
    const match = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')
    const parts = match?.[1]?.split('.') ?? []
    const [header, payload, signature] = parts
    if (parts.length !== 3 || header === undefined || payload === undefined || signature === undefined) {
      throw new HttpFailure(401, 'unauthenticated', 'missing or malformed bearer token')
    }
    const expected = createHmac('sha256', secret).update(`${header}.${payload}`).digest()
    const given = Buffer.from(signature, 'base64url')
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new HttpFailure(401, 'unauthenticated', 'token signature is invalid')
    }
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { scp?: string; exp?: number }
    if (typeof claims.exp === 'number' && claims.exp * 1000 < Date.now()) {
      throw new HttpFailure(401, 'unauthenticated', 'token has expired')
    }
    const scope = (claims.scp ?? '').split(' ').find(s => s.startsWith('Actions.Results:'))
    const [, runBackendId, jobBackendId] = scope?.split(':') ?? []
    const run = runs.find(r => r.backendId === runBackendId)
    if (run === undefined || jobBackendId === undefined) {
      throw new HttpFailure(401, 'unauthenticated', 'token has no Actions.Results scope for a known run')
    }
    return { run, jobBackendId }
  }

  function sign(blobPath: string, permissions: string): string {
    const expiry = new Date(Date.now() + 6 * 3600 * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z')
    const sig = createHmac('sha256', secret).update(`${permissions}\n${expiry}\n${blobPath}`).digest('base64')
    const query = new URLSearchParams({ sv: AZURE_API_VERSION, sr: 'b', sp: permissions, se: expiry, sig })
    return `${baseUrl}${blobPath}?${query.toString()}`
  }

  function checkSignature(url: URL, needed: 'r' | 'w'): void {
    const sp = url.searchParams.get('sp') ?? ''
    const se = url.searchParams.get('se') ?? ''
    const sig = url.searchParams.get('sig') ?? ''
    const expected = createHmac('sha256', secret).update(`${sp}\n${se}\n${url.pathname}`).digest()
    const given = Buffer.from(sig, 'base64')
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new HttpFailure(403, 'AuthenticationFailed', 'Signature did not match.')
    }
    if (!(Date.parse(se) > Date.now())) {
      throw new HttpFailure(403, 'AuthenticationFailed', 'Signed expiry time has passed.')
    }
    if (!sp.includes(needed)) {
      throw new HttpFailure(
        403,
        'AuthorizationPermissionMismatch',
        'This request is not authorized to perform this operation using this permission.'
      )
    }
  }

  function takeFault(operation: FaultTarget, kind: 'blob' | 'rest' | 'twirp'): Fault | undefined {
    const fault = faults.find(f => f.remaining > 0 && (f.target === operation || f.target === kind))
    if (fault === undefined) return undefined
    fault.remaining--
    if (fault.remaining === 0) faults.splice(faults.indexOf(fault), 1)
    return fault
  }

  function liveArtifacts(run: WorkflowRun): ArtifactRecord[] {
    const now = Date.now()
    return records.filter(r => r.run === run && r.finalized && !r.deleted && r.expiresAt.getTime() > now)
  }

  function storedArtifact(record: ArtifactRecord): StoredArtifact {
    const blob = blobs.get(record.blobPath)
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

  // ---- Twirp ----

  function twirp(method: TwirpMethod, req: http.IncomingMessage, body: Buffer[]): Record<string, unknown> {
    const caller = authenticate(req)
    if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
      throw new HttpFailure(415, 'malformed', 'only application/json requests are served')
    }
    let request: Record<string, unknown>
    try {
      request = JSON.parse(Buffer.concat(body).toString('utf8')) as Record<string, unknown>
    } catch {
      throw new HttpFailure(400, 'malformed', 'request body is not JSON')
    }
    if (request.workflow_run_backend_id !== caller.run.backendId) {
      throw new HttpFailure(403, 'permission_denied', 'workflow_run_backend_id does not match the token')
    }
    const run = caller.run
    const name = asString(request.name)
    switch (method) {
      case 'CreateArtifact': {
        if (request.workflow_job_run_backend_id !== caller.jobBackendId) {
          throw new HttpFailure(403, 'permission_denied', 'workflow_job_run_backend_id does not match the token')
        }
        if (!name) throw new HttpFailure(400, 'invalid_argument', 'name is required')
        if (rejectedNames?.test(name)) {
          throw new HttpFailure(400, 'invalid_argument', `artifact name ${JSON.stringify(name)} is not allowed`)
        }
        if (request.version !== 4 && request.version !== 7) {
          throw new HttpFailure(400, 'invalid_argument', `unsupported artifact version ${String(request.version)}`)
        }
        const existing = records.find(r => r.run === run && r.name === name && !r.deleted)
        if (existing?.finalized) {
          throw new HttpFailure(409, 'already_exists', 'an artifact with this name already exists on the workflow run')
        }
        // An upload that was never finalized does not hold the name: a retried upload replaces it.
        if (existing) records.splice(records.indexOf(existing), 1)
        const createdAt = new Date()
        const expiresAtText = asString(request.expires_at)
        const expiresAt = expiresAtText
          ? new Date(expiresAtText)
          : new Date(createdAt.getTime() + defaultRetentionDays * DAY_MS)
        if (Number.isNaN(expiresAt.getTime()) || expiresAt.getTime() <= createdAt.getTime()) {
          throw new HttpFailure(400, 'invalid_argument', `expires_at ${String(expiresAtText)} is not in the future`)
        }
        const id = nextArtifactId++
        const blobName = createHash('sha256').update(`${run.backendId}/${name}/${id}`).digest('hex')
        const record: ArtifactRecord = {
          id,
          name,
          run,
          jobBackendId: caller.jobBackendId,
          blobPath: `/blob/actions-results/${run.backendId}/${caller.jobBackendId}/artifacts/${blobName}.zip`,
          createdAt,
          expiresAt,
          retentionRequested: expiresAtText !== undefined,
          finalized: false,
          deleted: false,
          size: 0,
          digest: undefined
        }
        records.push(record)
        return { ok: true, signed_upload_url: sign(record.blobPath, 'cw') }
      }
      case 'FinalizeArtifact': {
        const record = records.find(r => r.run === run && r.name === name && !r.finalized && !r.deleted)
        if (!record)
          throw new HttpFailure(404, 'not_found', `no pending artifact named ${JSON.stringify(name)} in this run`)
        const blob = blobs.get(record.blobPath)
        if (!blob?.data) {
          throw new HttpFailure(412, 'failed_precondition', 'the artifact blob has not been uploaded')
        }
        const size = Number(asString(request.size) ?? request.size ?? 0)
        if (size !== blob.size) {
          throw new HttpFailure(
            400,
            'invalid_argument',
            `size ${size} does not match the uploaded blob (${blob.size} bytes)`
          )
        }
        record.size = size
        record.digest = asString(request.hash)
        record.finalized = true
        return { ok: true, artifact_id: String(record.id) }
      }
      case 'ListArtifacts': {
        const nameFilter = asString(request.name_filter)
        const idFilter = request.id_filter === undefined ? undefined : Number(request.id_filter)
        const artifacts = liveArtifacts(run)
          .filter(r => nameFilter === undefined || r.name === nameFilter)
          .filter(r => idFilter === undefined || r.id === idFilter)
          .map(r => ({
            workflow_run_backend_id: r.run.backendId,
            workflow_job_run_backend_id: r.jobBackendId,
            database_id: String(r.id),
            name: r.name,
            size: String(r.size),
            created_at: r.createdAt.toISOString(),
            ...(r.digest === undefined ? {} : { digest: r.digest })
          }))
        return { artifacts }
      }
      case 'GetSignedArtifactURL': {
        const record = liveArtifacts(run).find(r => r.name === name)
        if (!record) throw new HttpFailure(404, 'not_found', `artifact ${JSON.stringify(name)} not found`)
        return { signed_url: sign(record.blobPath, 'r') }
      }
      case 'DeleteArtifact': {
        const record = liveArtifacts(run).find(r => r.name === name)
        if (!record) throw new HttpFailure(404, 'not_found', `artifact ${JSON.stringify(name)} not found`)
        record.deleted = true
        return { ok: true, artifact_id: String(record.id) }
      }
    }
  }

  // ---- Azure block blob ----

  function blobOperation(method: string, url: URL): BlobOperation | undefined {
    const comp = url.searchParams.get('comp')
    if (method === 'PUT' && comp === 'block') return 'PutBlock'
    if (method === 'PUT' && comp === 'blocklist') return 'PutBlockList'
    if (method === 'PUT' && comp === null) return 'PutBlob'
    if (method === 'GET' && comp === null) return 'GetBlob'
    if (method === 'HEAD' && comp === null) return 'GetBlobProperties'
    return undefined
  }

  function newBlob(): BlockBlob {
    return {
      uncommitted: new Map(),
      committedIds: [],
      committedBlocks: new Map(),
      data: undefined,
      size: 0,
      contentType: undefined,
      contentMd5: undefined,
      etag: '',
      lastModified: new Date(),
      createdAt: new Date()
    }
  }

  function commit(blob: BlockBlob, parts: Buffer[], req: http.IncomingMessage): void {
    blob.data = parts
    blob.size = parts.reduce((sum, part) => sum + part.length, 0)
    blob.contentType = asString(req.headers['x-ms-blob-content-type']) ?? blob.contentType
    blob.contentMd5 = asString(req.headers['x-ms-blob-content-md5'])
    blob.etag = `"0x${randomBytes(8).toString('hex').toUpperCase()}"`
    blob.lastModified = new Date()
  }

  function writeHeaders(blob: BlockBlob): Record<string, string> {
    return {
      etag: blob.etag,
      'last-modified': blob.lastModified.toUTCString(),
      'x-ms-request-server-encrypted': 'true'
    }
  }

  function blobRequest(
    operation: BlobOperation,
    url: URL,
    req: http.IncomingMessage,
    body: Buffer[],
    res: http.ServerResponse
  ): void {
    const blobPath = url.pathname
    const reading = operation === 'GetBlob' || operation === 'GetBlobProperties'
    checkSignature(url, reading ? 'r' : 'w')
    // Hashing every block would halve the emulator's throughput, and the SDK ignores Put Block's Content-MD5 unless it
    // sent one; so blocks are hashed only when the request carries Content-MD5 (checked, then echoed, as Azure does).
    const requestMd5 = asString(req.headers['content-md5'])
    const md5 = operation === 'PutBlock' && requestMd5 === undefined ? undefined : md5Base64(body)
    if (!reading && requestMd5 !== undefined && requestMd5 !== md5) {
      throw new HttpFailure(
        400,
        'Md5Mismatch',
        'The MD5 value specified in the request did not match with the MD5 value calculated by the server.'
      )
    }
    switch (operation) {
      case 'PutBlock': {
        const blockId = url.searchParams.get('blockid') ?? ''
        if (blockId === '' || Buffer.from(blockId, 'base64').length > 64) {
          throw new HttpFailure(
            400,
            'InvalidQueryParameterValue',
            'Value for one of the query parameters specified in the request URI is invalid.'
          )
        }
        const blob = blobs.get(blobPath) ?? newBlob()
        blobs.set(blobPath, blob)
        // Azure requires all block ids of one blob to have the same length.
        const other = blob.uncommitted.keys().next().value
        if (other !== undefined && other.length !== blockId.length) {
          throw new HttpFailure(400, 'InvalidBlobOrBlock', 'The specified blob or block content is invalid.')
        }
        blob.uncommitted.set(blockId, body)
        res.writeHead(201, { ...(md5 ? { 'content-md5': md5 } : {}), 'x-ms-request-server-encrypted': 'true' }).end()
        return
      }
      case 'PutBlockList': {
        const blob = blobs.get(blobPath) ?? newBlob()
        const xml = Buffer.concat(body).toString('utf8')
        if (!/<BlockList>[\s\S]*<\/BlockList>/.test(xml)) {
          throw new HttpFailure(400, 'InvalidXmlDocument', 'XML specified is not syntactically valid.')
        }
        const order: Array<{ id: string; data: Buffer[] }> = []
        for (const m of xml.matchAll(/<(Latest|Committed|Uncommitted)>([^<]*)<\/\1>/g)) {
          const list = m[1]
          const id = xmlUnescape(m[2] ?? '')
          const uncommitted = blob.uncommitted.get(id)
          const committed = blob.committedBlocks.get(id)
          const data =
            list === 'Uncommitted' ? uncommitted : list === 'Committed' ? committed : (uncommitted ?? committed)
          if (data === undefined) throw new HttpFailure(400, 'InvalidBlockList', 'The specified block list is invalid.')
          order.push({ id, data })
        }
        blobs.set(blobPath, blob)
        commit(
          blob,
          order.flatMap(b => b.data),
          req
        )
        // Committing discards every block not named in the list.
        blob.committedIds = order.map(b => b.id)
        blob.committedBlocks = new Map(order.map(b => [b.id, b.data]))
        blob.uncommitted.clear()
        res.writeHead(201, { ...writeHeaders(blob), 'content-md5': md5 ?? '' }).end()
        return
      }
      case 'PutBlob': {
        if (req.headers['x-ms-blob-type'] !== 'BlockBlob') {
          throw new HttpFailure(400, 'InvalidHeaderValue', 'x-ms-blob-type must be BlockBlob')
        }
        const blob = newBlob()
        blobs.set(blobPath, blob)
        commit(blob, body, req)
        blob.contentMd5 = blob.contentMd5 ?? md5
        res.writeHead(201, { ...writeHeaders(blob), 'content-md5': md5 ?? '' }).end()
        return
      }
      case 'GetBlob':
      case 'GetBlobProperties': {
        const blob = blobs.get(blobPath)
        if (!blob?.data) throw new HttpFailure(404, 'BlobNotFound', 'The specified blob does not exist.')
        const parts = blob.data
        const length = blob.size
        const headers: Record<string, string> = {
          'content-type': blob.contentType ?? 'application/octet-stream',
          etag: blob.etag,
          'last-modified': blob.lastModified.toUTCString(),
          'accept-ranges': 'bytes',
          'x-ms-blob-type': 'BlockBlob',
          'x-ms-creation-time': blob.createdAt.toUTCString(),
          'x-ms-lease-status': 'unlocked',
          'x-ms-lease-state': 'available',
          'x-ms-server-encrypted': 'true'
        }
        if (blob.contentMd5) headers['content-md5'] = blob.contentMd5
        const range = asString(req.headers['x-ms-range']) ?? asString(req.headers.range)
        let start = 0
        let end = length - 1
        let status = 200
        if (range !== undefined && operation === 'GetBlob') {
          const m = /^bytes=(\d+)-(\d*)$/.exec(range)
          if (!m)
            throw new HttpFailure(
              400,
              'InvalidRange',
              'The range specified is invalid for the current size of the resource.'
            )
          start = Number(m[1])
          end = m[2] ? Math.min(Number(m[2]), length - 1) : length - 1
          if (start >= length || start > end) {
            res.writeHead(416, { 'content-range': `bytes */${length}`, 'x-ms-error-code': 'InvalidRange' }).end()
            return
          }
          status = 206
          headers['content-range'] = `bytes ${start}-${end}/${length}`
        }
        headers['content-length'] = String(end - start + 1)
        res.writeHead(status, headers)
        if (operation === 'GetBlobProperties') res.end()
        else if (status === 206) res.end(Buffer.concat(parts).subarray(start, end + 1))
        else Readable.from(parts, { objectMode: false }).pipe(res)
        return
      }
    }
  }

  // ---- GitHub REST (another run's artifacts) ----

  function restRequest(
    operation: RestOperation,
    match: RegExpExecArray,
    req: http.IncomingMessage,
    url: URL,
    res: http.ServerResponse
  ): void {
    const auth = req.headers.authorization ?? ''
    if (auth !== `token ${githubToken}` && auth !== `Bearer ${githubToken}`) {
      throw new HttpFailure(401, 'unauthenticated', 'Bad credentials')
    }
    if (`${match[1]}/${match[2]}` !== repository) throw new HttpFailure(404, 'not_found', 'Not Found')
    if (operation === 'ListRunArtifacts') {
      const run = runs.find(r => r.runId === Number(match[3]))
      if (!run) throw new HttpFailure(404, 'not_found', 'Not Found')
      const name = url.searchParams.get('name')
      const all = liveArtifacts(run).filter(r => name === null || r.name === name)
      const perPage = Math.min(Number(url.searchParams.get('per_page') ?? 30), 100)
      const page = Number(url.searchParams.get('page') ?? 1)
      const artifacts = all.slice((page - 1) * perPage, page * perPage).map(r => ({
        id: r.id,
        node_id: base64url(`Artifact${r.id}`),
        name: r.name,
        size_in_bytes: r.size,
        url: `${baseUrl}/api/repos/${repository}/actions/artifacts/${r.id}`,
        archive_download_url: `${baseUrl}/api/repos/${repository}/actions/artifacts/${r.id}/zip`,
        expired: false,
        digest: r.digest ?? null,
        created_at: r.createdAt.toISOString(),
        updated_at: r.createdAt.toISOString(),
        expires_at: r.expiresAt.toISOString(),
        workflow_run: { id: r.run.runId }
      }))
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' })
      res.end(JSON.stringify({ total_count: all.length, artifacts }))
      return
    }
    const id = Number(match[3])
    const record = records.find(r => r.id === id && r.finalized && !r.deleted)
    if (!record) throw new HttpFailure(404, 'not_found', 'Not Found')
    res.writeHead(302, { location: sign(record.blobPath, 'r'), 'content-length': '0' }).end()
  }

  // ---- dispatch ----

  function fail(
    res: http.ServerResponse,
    kind: 'twirp' | 'blob' | 'rest',
    status: number,
    code: string,
    message: string
  ): void {
    if (kind === 'blob') {
      const xml = `<?xml version="1.0" encoding="utf-8"?><Error><Code>${xmlEscape(code)}</Code><Message>${xmlEscape(message)}\nRequestId:${randomUUID()}\nTime:${new Date().toISOString()}</Message></Error>`
      res.writeHead(status, { 'content-type': 'application/xml', 'x-ms-error-code': code }).end(xml)
    } else if (kind === 'rest') {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' })
      res.end(JSON.stringify({ message, documentation_url: 'https://docs.github.com/rest', status: String(status) }))
    } else {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ code, msg: message }))
    }
  }

  const restRoutes: Array<[RegExp, RestOperation]> = [
    [/^\/api\/repos\/([^/]+)\/([^/]+)\/actions\/runs\/(\d+)\/artifacts$/, 'ListRunArtifacts'],
    [/^\/api\/repos\/([^/]+)\/([^/]+)\/actions\/artifacts\/(\d+)\/zip$/, 'DownloadArtifactZip']
  ]

  function handle(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer[]): void {
    const url = new URL(req.url ?? '/', baseUrl)
    const method = req.method ?? 'GET'
    const entry: RecordedRequest = {
      method,
      path: url.pathname,
      operation: 'unknown',
      status: 0,
      bodyBytes: body.reduce((sum, chunk) => sum + chunk.length, 0)
    }
    requests.push(entry)
    res.on('finish', () => (entry.status = res.statusCode))
    // Every answer carries the headers Azure and Twirp front ends send.
    res.setHeader('x-ms-request-id', randomUUID())
    res.setHeader('x-ms-version', AZURE_API_VERSION)
    const clientRequestId = asString(req.headers['x-ms-client-request-id'])
    if (clientRequestId) res.setHeader('x-ms-client-request-id', clientRequestId)

    let kind: 'twirp' | 'blob' | 'rest' = 'twirp'
    try {
      if (url.pathname.startsWith(TWIRP_PREFIX)) {
        const name = url.pathname.slice(TWIRP_PREFIX.length)
        const twirpMethod = TWIRP_METHODS.find(m => m === name)
        if (method !== 'POST' || twirpMethod === undefined) {
          throw new HttpFailure(404, 'bad_route', `no handler for ${method} ${url.pathname}`)
        }
        entry.operation = twirpMethod
        const fault = takeFault(twirpMethod, 'twirp')
        if (fault) return inject(fault, res, 'twirp')
        const answer = twirp(twirpMethod, req, body)
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer))
        return
      }
      if (url.pathname.startsWith('/blob/')) {
        kind = 'blob'
        const operation = blobOperation(method, url)
        if (operation === undefined) {
          throw new HttpFailure(
            400,
            'UnsupportedHttpVerb',
            `${method} with comp=${url.searchParams.get('comp') ?? ''} is not emulated`
          )
        }
        entry.operation = operation
        const fault = takeFault(operation, 'blob')
        if (fault) return inject(fault, res, 'blob')
        blobRequest(operation, url, req, body, res)
        return
      }
      for (const [pattern, operation] of restRoutes) {
        const match = pattern.exec(url.pathname)
        if (match && method === 'GET') {
          kind = 'rest'
          entry.operation = operation
          const fault = takeFault(operation, 'rest')
          if (fault) return inject(fault, res, 'rest')
          restRequest(operation, match, req, url, res)
          return
        }
      }
      throw new HttpFailure(404, 'bad_route', `no route for ${method} ${url.pathname}`)
    } catch (e: unknown) {
      if (e instanceof HttpFailure) fail(res, kind, e.status, e.code, e.message)
      else
        fail(res, kind, 500, kind === 'blob' ? 'InternalError' : 'internal', e instanceof Error ? e.message : String(e))
    }
  }

  function inject(fault: Fault, res: http.ServerResponse, kind: 'twirp' | 'blob' | 'rest'): void {
    if (fault.hang) {
      hung.set(res, kind)
      return
    }
    const code = kind === 'blob' ? azureCodeFor(fault.status) : twirpCodeFor(fault.status)
    fail(res, kind, fault.status, code, fault.message ?? `injected failure (HTTP ${fault.status})`)
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    // Read the whole body before answering, errors included: answering early makes clients see a reset.
    req.on('end', () => handle(req, res, chunks))
  })
  server.keepAliveTimeout = 5000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const primary = addRun(opts.runId)
  const primaryEnv = envFor(primary, randomUUID())

  function findFinalized(id: number): ArtifactRecord {
    const record = records.find(r => r.id === id && r.finalized && !r.deleted)
    if (!record) throw new Error(`no finalized artifact with id ${id}`)
    return record
  }

  return {
    url: baseUrl,
    apiUrl: `${baseUrl}/api`,
    githubToken,
    runId: primary.runId,
    env: primaryEnv,
    newRunEnv: (runId?: number) => envFor(addRun(runId), randomUUID()),
    newJobEnv: () => envFor(primary, randomUUID()),
    artifacts: () => records.filter(r => r.finalized && !r.deleted).map(storedArtifact),
    readZipEntries: (id: number) => readZipEntries(storedArtifact(findFinalized(id)).zip),
    failNext(target, times, status, message) {
      faults.push({ target, remaining: times, status, message, hang: false })
    },
    hangNext(target, times) {
      faults.push({ target, remaining: times, status: 0, message: undefined, hang: true })
    },
    rejectNames(pattern) {
      rejectedNames = pattern
    },
    signedDownloadUrl: (id: number) => sign(findFinalized(id).blobPath, 'r'),
    tamperZip(id, change) {
      const blob = blobs.get(findFinalized(id).blobPath)
      if (blob?.data) {
        const changed = change(Buffer.concat(blob.data))
        blob.data = [changed]
        blob.size = changed.length
      }
    },
    replaceZip(id, zip) {
      const record = findFinalized(id)
      const blob = blobs.get(record.blobPath)
      if (!blob) throw new Error(`artifact ${id} has no blob`)
      blob.data = [zip]
      blob.size = zip.length
      record.size = zip.length
      record.digest = `sha256:${createHash('sha256').update(zip).digest('hex')}`
    },
    requests,
    async stop() {
      // Release hung requests with a non-retryable answer: a reset connection would send the Azure SDK into
      // retries (4 s, then 12 s) against a closed port, keeping the test process alive after the tests.
      const answered = [...hung].map(([res, kind]) => {
        res.shouldKeepAlive = false
        const finished = new Promise<void>(resolve => res.once('finish', resolve).once('close', resolve))
        fail(res, kind, 400, kind === 'blob' ? 'InvalidInput' : 'canceled', 'the emulator stopped')
        return finished
      })
      hung.clear()
      await Promise.race([Promise.all(answered), new Promise(resolve => setTimeout(resolve, 1000).unref())])
      server.closeAllConnections()
      await new Promise<void>(resolve => server.close(() => resolve()))
    }
  }
}

// ---- zip reading (test support only: stored and deflated entries, zip64, CRC-checked) ----

/** Entries of a zip archive by name, directories left out. Reads the central directory, as unzip tools do. */
export function readZipEntries(zip: Buffer): Map<string, Buffer> {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]), Math.max(0, zip.length - 22))
  if (eocd < 0 || eocd < zip.length - 22 - 0xffff) throw new Error('not a zip: no end of central directory record')
  let entries = zip.readUInt16LE(eocd + 10)
  let cdOffset = zip.readUInt32LE(eocd + 16)
  if (entries === 0xffff || cdOffset === 0xffffffff) {
    const locator = eocd - 20
    if (locator < 0 || zip.readUInt32LE(locator) !== 0x07064b50) throw new Error('zip64 locator missing')
    const record = Number(zip.readBigUInt64LE(locator + 8))
    if (zip.readUInt32LE(record) !== 0x06064b50) throw new Error('zip64 end of central directory record missing')
    entries = Number(zip.readBigUInt64LE(record + 32))
    cdOffset = Number(zip.readBigUInt64LE(record + 48))
  }
  const result = new Map<string, Buffer>()
  let p = cdOffset
  for (let i = 0; i < entries; i++) {
    if (zip.readUInt32LE(p) !== 0x02014b50) throw new Error(`bad central directory header at ${p}`)
    const method = zip.readUInt16LE(p + 10)
    const crc = zip.readUInt32LE(p + 16)
    let compressedSize = zip.readUInt32LE(p + 20)
    let size = zip.readUInt32LE(p + 24)
    const nameLength = zip.readUInt16LE(p + 28)
    const extraLength = zip.readUInt16LE(p + 30)
    const commentLength = zip.readUInt16LE(p + 32)
    let localOffset = zip.readUInt32LE(p + 42)
    const name = zip.toString('utf8', p + 46, p + 46 + nameLength)
    // The zip64 extra field holds, in this order, only the fields whose 32-bit slot is saturated.
    let e = p + 46 + nameLength
    const extraEnd = e + extraLength
    while (e + 4 <= extraEnd) {
      const id = zip.readUInt16LE(e)
      const length = zip.readUInt16LE(e + 2)
      if (id === 0x0001) {
        let q = e + 4
        if (size === 0xffffffff) {
          size = Number(zip.readBigUInt64LE(q))
          q += 8
        }
        if (compressedSize === 0xffffffff) {
          compressedSize = Number(zip.readBigUInt64LE(q))
          q += 8
        }
        if (localOffset === 0xffffffff) localOffset = Number(zip.readBigUInt64LE(q))
      }
      e += 4 + length
    }
    p = extraEnd + commentLength
    if (name.endsWith('/')) continue
    if (zip.readUInt32LE(localOffset) !== 0x04034b50) throw new Error(`bad local header for ${name}`)
    const dataStart = localOffset + 30 + zip.readUInt16LE(localOffset + 26) + zip.readUInt16LE(localOffset + 28)
    const raw = zip.subarray(dataStart, dataStart + compressedSize)
    let data: Buffer
    if (method === 0) data = Buffer.from(raw)
    else if (method === 8) data = inflateRawSync(raw)
    else throw new Error(`${name}: compression method ${method} not supported`)
    if (data.length !== size) throw new Error(`${name}: ${data.length} bytes, central directory says ${size}`)
    if (crc32(data) !== crc) throw new Error(`${name}: CRC-32 mismatch`)
    result.set(name, data)
  }
  return result
}

/** A block id list body as the Azure SDK sends it (for raw-HTTP tests of Put Block List). */
export function blockListXml(blockIds: string[]): string {
  const latest = blockIds.map(id => `<Latest>${xmlEscape(id)}</Latest>`).join('')
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><BlockList>${latest}</BlockList>`
}
