/**
 * The emulator's secrets at work: the runtime tokens it hands each job and checks on Twirp calls, and the signed
 * blob URLs (signature, expiry, permission) it hands out and checks on blob requests.
 */
import type http from 'node:http'
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { AZURE_API_VERSION, base64url, HttpFailure } from './http.js'
import type { WorkflowRun } from './types.js'

export interface Credentials {
  /** An ACTIONS_RUNTIME_TOKEN: HS256 JWT whose scp names the run and job, as the runner's does. */
  runtimeToken(run: WorkflowRun, jobBackendId: string): string
  /** The run and job a bearer token speaks for; throws unauthenticated when it is not one of ours. */
  authenticate(req: http.IncomingMessage, runs: readonly WorkflowRun[]): { run: WorkflowRun; jobBackendId: string }
  /** A signed URL for a blob, valid for six hours, with permissions such as 'r' or 'cw'. */
  sign(baseUrl: string, blobPath: string, permissions: string): string
  /** Throws AuthenticationFailed / AuthorizationPermissionMismatch unless the URL is ours, unexpired and allows `needed`. */
  checkSignature(url: URL, needed: 'r' | 'w'): void
}

export function newCredentials(): Credentials {
  const secret = randomBytes(32)
  return {
    runtimeToken(run, jobBackendId) {
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
    },

    authenticate(req, runs) {
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
    },

    sign(baseUrl, blobPath, permissions) {
      const expiry = new Date(Date.now() + 6 * 3600 * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z')
      const sig = createHmac('sha256', secret).update(`${permissions}\n${expiry}\n${blobPath}`).digest('base64')
      const query = new URLSearchParams({ sv: AZURE_API_VERSION, sr: 'b', sp: permissions, se: expiry, sig })
      return `${baseUrl}${blobPath}?${query.toString()}`
    },

    checkSignature(url, needed) {
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
  }
}
