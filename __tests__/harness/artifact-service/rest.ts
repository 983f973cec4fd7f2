/**
 * The two GitHub REST routes the client uses for another run's artifacts, under /api (GITHUB_API_URL):
 * GET /repos/{o}/{r}/actions/runs/{run}/artifacts[?name=] and GET /repos/{o}/{r}/actions/artifacts/{id}/zip (302).
 */
import type http from 'node:http'
import { base64url, HttpFailure } from './http.js'
import { liveArtifacts, sign, type ServiceState } from './state.js'
import type { RestOperation } from './types.js'

export const REST_ROUTES: ReadonlyArray<[RegExp, RestOperation]> = [
  [/^\/api\/repos\/([^/]+)\/([^/]+)\/actions\/runs\/(\d+)\/artifacts$/, 'ListRunArtifacts'],
  [/^\/api\/repos\/([^/]+)\/([^/]+)\/actions\/artifacts\/(\d+)\/zip$/, 'DownloadArtifactZip']
]

export function restRequest(
  state: ServiceState,
  operation: RestOperation,
  match: RegExpExecArray,
  req: http.IncomingMessage,
  url: URL,
  res: http.ServerResponse
): void {
  const auth = req.headers.authorization ?? ''
  if (auth !== `token ${state.githubToken}` && auth !== `Bearer ${state.githubToken}`) {
    throw new HttpFailure(401, 'unauthenticated', 'Bad credentials')
  }
  if (`${match[1]}/${match[2]}` !== state.repository) throw new HttpFailure(404, 'not_found', 'Not Found')
  if (operation === 'ListRunArtifacts') {
    const run = state.runs.find(r => r.runId === Number(match[3]))
    if (!run) throw new HttpFailure(404, 'not_found', 'Not Found')
    const name = url.searchParams.get('name')
    const all = liveArtifacts(state, run).filter(r => name === null || r.name === name)
    const perPage = Math.min(Number(url.searchParams.get('per_page') ?? 30), 100)
    const page = Number(url.searchParams.get('page') ?? 1)
    const artifacts = all.slice((page - 1) * perPage, page * perPage).map(r => ({
      id: r.id,
      node_id: base64url(`Artifact${r.id}`),
      name: r.name,
      size_in_bytes: r.size,
      url: `${state.baseUrl}/api/repos/${state.repository}/actions/artifacts/${r.id}`,
      archive_download_url: `${state.baseUrl}/api/repos/${state.repository}/actions/artifacts/${r.id}/zip`,
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
  const record = state.records.find(r => r.id === id && r.finalized && !r.deleted)
  if (!record) throw new HttpFailure(404, 'not_found', 'Not Found')
  res.writeHead(302, { location: sign(state, record.blobPath, 'r'), 'content-length': '0' }).end()
}
