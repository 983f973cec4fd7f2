/**
 * The five ArtifactService methods over Twirp JSON: requests carry the proto field names (snake_case, int64 as
 * strings, wrappers as bare values), answers are JSON.
 */
import type http from 'node:http'
import { createHash } from 'node:crypto'
import { asString, HttpFailure } from './http.js'
import { DAY_MS, liveArtifacts, sign, type ServiceState } from './state.js'
import type { ArtifactRecord, TwirpMethod } from './types.js'

export const TWIRP_PREFIX = '/twirp/github.actions.results.api.v1.ArtifactService/'

export const TWIRP_METHODS: readonly TwirpMethod[] = [
  'CreateArtifact',
  'FinalizeArtifact',
  'ListArtifacts',
  'GetSignedArtifactURL',
  'DeleteArtifact'
]

export function twirpRequest(
  state: ServiceState,
  method: TwirpMethod,
  req: http.IncomingMessage,
  body: Buffer[]
): Record<string, unknown> {
  const caller = state.credentials.authenticate(req, state.runs)
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
      if (state.rejectedNames?.test(name)) {
        throw new HttpFailure(400, 'invalid_argument', `artifact name ${JSON.stringify(name)} is not allowed`)
      }
      if (request.version !== 4 && request.version !== 7) {
        throw new HttpFailure(400, 'invalid_argument', `unsupported artifact version ${String(request.version)}`)
      }
      const existing = state.records.find(r => r.run === run && r.name === name && !r.deleted)
      if (existing?.finalized) {
        throw new HttpFailure(409, 'already_exists', 'an artifact with this name already exists on the workflow run')
      }
      // An upload that was never finalized does not hold the name: a retried upload replaces it.
      if (existing) state.records.splice(state.records.indexOf(existing), 1)
      const createdAt = new Date()
      const expiresAtText = asString(request.expires_at)
      const expiresAt = expiresAtText
        ? new Date(expiresAtText)
        : new Date(createdAt.getTime() + state.defaultRetentionDays * DAY_MS)
      if (Number.isNaN(expiresAt.getTime()) || expiresAt.getTime() <= createdAt.getTime()) {
        throw new HttpFailure(400, 'invalid_argument', `expires_at ${String(expiresAtText)} is not in the future`)
      }
      const id = state.nextArtifactId++
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
      state.records.push(record)
      return { ok: true, signed_upload_url: sign(state, record.blobPath, 'cw') }
    }
    case 'FinalizeArtifact': {
      const record = state.records.find(r => r.run === run && r.name === name && !r.finalized && !r.deleted)
      if (!record)
        throw new HttpFailure(404, 'not_found', `no pending artifact named ${JSON.stringify(name)} in this run`)
      const blob = state.blobs.get(record.blobPath)
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
      const artifacts = liveArtifacts(state, run)
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
      const record = liveArtifacts(state, run).find(r => r.name === name)
      if (!record) throw new HttpFailure(404, 'not_found', `artifact ${JSON.stringify(name)} not found`)
      return { signed_url: sign(state, record.blobPath, 'r') }
    }
    case 'DeleteArtifact': {
      const record = liveArtifacts(state, run).find(r => r.name === name)
      if (!record) throw new HttpFailure(404, 'not_found', `artifact ${JSON.stringify(name)} not found`)
      record.deleted = true
      return { ok: true, artifact_id: String(record.id) }
    }
  }
}
