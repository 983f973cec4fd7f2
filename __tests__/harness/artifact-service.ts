/**
 * A local stand-in for GitHub's artifact service (v4 "results" service), good enough for the real
 * @actions/artifact 6 client to upload and download through it unchanged:
 *
 * - Twirp JSON at POST /twirp/github.actions.results.api.v1.ArtifactService/<Method> (artifact-service/twirp.ts).
 * - An Azure block-blob endpoint under /blob/... that the signed URLs point at (artifact-service/blob-store.ts).
 * - The two GitHub REST routes the client uses for another run's artifacts, under /api (artifact-service/rest.ts).
 *
 * Fault injection (failNext, hangNext, rejectNames) and a request log let tests drive the client's error paths.
 * This file starts the server, routes each request to its front end, and hands tests the ArtifactService handle.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { createHash, randomBytes, randomInt, randomUUID } from 'node:crypto'
import { blobOperation, blobRequest } from './artifact-service/blob-store.js'
import { newCredentials } from './artifact-service/credentials.js'
import { Faults } from './artifact-service/faults.js'
import { asString, AZURE_API_VERSION, fail, HttpFailure, type FrontEnd } from './artifact-service/http.js'
import { REST_ROUTES, restRequest } from './artifact-service/rest.js'
import { addRun, findFinalized, storedArtifact, type ServiceState } from './artifact-service/state.js'
import { TWIRP_METHODS, TWIRP_PREFIX, twirpRequest } from './artifact-service/twirp.js'
import type { ArtifactService, ArtifactServiceOptions, RecordedRequest, WorkflowRun } from './artifact-service/types.js'
import { readZipEntries } from './artifact-service/zip.js'

export { blockListXml } from './artifact-service/blob-store.js'
export { readZipEntries } from './artifact-service/zip.js'
export type {
  ArtifactService,
  ArtifactServiceOptions,
  BlobOperation,
  FaultTarget,
  RecordedRequest,
  RestOperation,
  StoredArtifact,
  TwirpMethod
} from './artifact-service/types.js'

export async function startArtifactService(opts: ArtifactServiceOptions = {}): Promise<ArtifactService> {
  const repository = opts.repository ?? 'example-org/cluster-backups'
  const state: ServiceState = {
    baseUrl: '',
    repository,
    defaultRetentionDays: opts.defaultRetentionDays ?? 90,
    githubToken: opts.githubToken ?? `ghs_${randomBytes(18).toString('hex')}`,
    credentials: newCredentials(),
    runs: [],
    records: [],
    blobs: new Map(),
    rejectedNames: undefined,
    nextArtifactId: 4000 + randomInt(1000)
  }
  const faults = new Faults()
  const requests: RecordedRequest[] = []

  function envFor(run: WorkflowRun, jobBackendId: string): Record<string, string> {
    return {
      ACTIONS_RUNTIME_TOKEN: state.credentials.runtimeToken(run, jobBackendId),
      ACTIONS_RESULTS_URL: `${state.baseUrl}/`,
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_API_URL: `${state.baseUrl}/api`,
      GITHUB_REPOSITORY: repository,
      GITHUB_REPOSITORY_OWNER: repository.split('/')[0] ?? '',
      GITHUB_RUN_ID: String(run.runId),
      GITHUB_RUN_ATTEMPT: '1',
      GITHUB_RETENTION_DAYS: String(state.defaultRetentionDays)
    }
  }

  function handle(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer[]): void {
    const url = new URL(req.url ?? '/', state.baseUrl)
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

    let kind: FrontEnd = 'twirp'
    try {
      if (url.pathname.startsWith(TWIRP_PREFIX)) {
        const name = url.pathname.slice(TWIRP_PREFIX.length)
        const twirpMethod = TWIRP_METHODS.find(m => m === name)
        if (method !== 'POST' || twirpMethod === undefined) {
          throw new HttpFailure(404, 'bad_route', `no handler for ${method} ${url.pathname}`)
        }
        entry.operation = twirpMethod
        if (faults.inject(twirpMethod, 'twirp', res)) return
        const answer = twirpRequest(state, twirpMethod, req, body)
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
        if (faults.inject(operation, 'blob', res)) return
        blobRequest(state, operation, url, req, body, res)
        return
      }
      for (const [pattern, operation] of REST_ROUTES) {
        const match = pattern.exec(url.pathname)
        if (match && method === 'GET') {
          kind = 'rest'
          entry.operation = operation
          if (faults.inject(operation, 'rest', res)) return
          restRequest(state, operation, match, req, url, res)
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
  state.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const primary = addRun(state, opts.runId)
  const primaryEnv = envFor(primary, randomUUID())

  return {
    url: state.baseUrl,
    apiUrl: `${state.baseUrl}/api`,
    githubToken: state.githubToken,
    runId: primary.runId,
    env: primaryEnv,
    newRunEnv: (runId?: number) => envFor(addRun(state, runId), randomUUID()),
    newJobEnv: () => envFor(primary, randomUUID()),
    artifacts: () => state.records.filter(r => r.finalized && !r.deleted).map(r => storedArtifact(state, r)),
    readZipEntries: (id: number) => readZipEntries(storedArtifact(state, findFinalized(state, id)).zip),
    failNext(target, times, status, message) {
      faults.failNext(target, times, status, message)
    },
    hangNext(target, times) {
      faults.hangNext(target, times)
    },
    rejectNames(pattern) {
      state.rejectedNames = pattern
    },
    signedDownloadUrl: (id: number) => state.credentials.sign(state.baseUrl, findFinalized(state, id).blobPath, 'r'),
    tamperZip(id, change) {
      const blob = state.blobs.get(findFinalized(state, id).blobPath)
      if (blob?.data) {
        const changed = change(Buffer.concat(blob.data))
        blob.data = [changed]
        blob.size = changed.length
      }
    },
    replaceZip(id, zip) {
      const record = findFinalized(state, id)
      const blob = state.blobs.get(record.blobPath)
      if (!blob) throw new Error(`artifact ${id} has no blob`)
      blob.data = [zip]
      blob.size = zip.length
      record.size = zip.length
      record.digest = `sha256:${createHash('sha256').update(zip).digest('hex')}`
    },
    requests,
    async stop() {
      await faults.releaseHung()
      server.closeAllConnections()
      await new Promise<void>(resolve => server.close(() => resolve()))
    }
  }
}
