/**
 * A real S3-compatible object store on loopback for the offsite-copy tests: MinIO's server at the commit pinned in
 * scripts/s3/go.mod (built once per machine by `scripts/dev.sh s3-server-path`, or S3_SERVER_BIN), one drive in a
 * fresh temp dir, root credentials from the environment. It serves S3 (with versioning and Object Lock) on
 * 127.0.0.1 only, its console (turned off) is bound to 127.0.0.1 too, and nothing phones home: no update check, no
 * call-home, nothing written under $HOME.
 *
 * Requests are signed here with AWS Signature Version 4 (node:crypto), so tests need no S3 SDK.
 *
 * Every server started here is killed by stopAllS3Servers() (registered as an afterAll hook under jest), by a
 * process 'exit' hook, and (setpriv --pdeathsig KILL) by the kernel if the jest worker dies.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { createHash, createHmac, randomBytes } from 'node:crypto'
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import http from 'node:http'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePorts } from '../../src/etcd/ports.js'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const SETPRIV_BIN = '/usr/bin/setpriv'

/**
 * The server binary: S3_SERVER_BIN, else the pinned build from `scripts/dev.sh s3-server-path`, which builds it
 * first when this machine has none (several minutes).
 */
export function s3ServerBin(): string {
  const given = process.env['S3_SERVER_BIN']
  if (given) return given
  return execFileSync(join(ROOT, 'scripts', 'dev.sh'), ['s3-server-path'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit']
  }).trim()
}

/** Which server s3ServerBin() is ('minio'), as `scripts/dev.sh s3-server-name` says. */
export function s3ServerName(): string {
  return execFileSync(join(ROOT, 'scripts', 'dev.sh'), ['s3-server-name'], { encoding: 'utf8' }).trim()
}

// ---------------------------------------------------------------------------------------------------------------
// AWS Signature Version 4

export interface S3Credentials {
  accessKeyId: string
  secretAccessKey: string
  region: string
}

export interface S3Request {
  method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'DELETE'
  /** '/bucket' or '/bucket/key', unencoded; each segment is URI-encoded here. */
  path: string
  /** Query parameters; subresources such as `versioning` take ''. */
  query?: Record<string, string>
  headers?: Record<string, string>
  body?: Buffer | string
}

export interface S3Result {
  status: number
  headers: http.IncomingHttpHeaders
  body: string
}

/** RFC 3986 encoding as SigV4 wants it (encodeURIComponent leaves !'()* alone). */
const uriEncode = (s: string): string =>
  encodeURIComponent(s).replace(/[!'()*]/g, c => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)

const sha256Hex = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex')
const hmac = (key: Buffer | string, data: string): Buffer => createHmac('sha256', key).update(data).digest()

/** The encoded path and query string of a request, as both the signature and the wire use them. */
export function s3Target(req: Pick<S3Request, 'path' | 'query'>): { path: string; query: string } {
  const path = req.path.split('/').map(uriEncode).join('/') || '/'
  const query = Object.entries(req.query ?? {})
    .map(([k, v]) => [uriEncode(k), uriEncode(v)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&')
  return { path, query }
}

/**
 * The headers of `req` signed for `host` (host:port) with SigV4: every given header is signed, plus host,
 * x-amz-date and x-amz-content-sha256 (the body's SHA-256).
 */
export function signV4(
  req: S3Request,
  host: string,
  creds: S3Credentials,
  now: Date = new Date()
): Record<string, string> {
  const amzDate = now.toISOString().replace(/[-:]|\.\d{3}/g, '')
  const day = amzDate.slice(0, 8)
  const headers: Record<string, string> = {}
  for (const [k, v] of Object.entries(req.headers ?? {})) headers[k.toLowerCase()] = v.trim().replace(/\s+/g, ' ')
  headers['host'] = host
  headers['x-amz-date'] = amzDate
  headers['x-amz-content-sha256'] = sha256Hex(req.body ?? '')
  const names = Object.keys(headers).sort()
  const signedHeaders = names.join(';')
  const { path, query } = s3Target(req)
  const canonical = [
    req.method,
    path,
    query,
    names.map(n => `${n}:${headers[n]}\n`).join(''),
    signedHeaders,
    headers['x-amz-content-sha256']
  ].join('\n')
  const scope = `${day}/${creds.region}/s3/aws4_request`
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonical)].join('\n')
  const key = hmac(hmac(hmac(hmac(`AWS4${creds.secretAccessKey}`, day), creds.region), 's3'), 'aws4_request')
  const signature = createHmac('sha256', key).update(toSign).digest('hex')
  headers['authorization'] =
    `AWS4-HMAC-SHA256 Credential=${creds.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`
  return headers
}

/** Sends `req` to `endpoint` (http://host:port), signed with `creds` unless creds is null (anonymous). */
export function s3Request(
  endpoint: string,
  creds: S3Credentials | null,
  req: S3Request,
  timeoutMs = 30_000
): Promise<S3Result> {
  const url = new URL(endpoint)
  const body = req.body === undefined ? undefined : Buffer.from(req.body)
  const headers = creds ? signV4({ ...req, body }, url.host, creds) : { ...(req.headers ?? {}), host: url.host }
  if (body) headers['content-length'] = String(body.length)
  const { path, query } = s3Target(req)
  return new Promise((resolvePromise, reject) => {
    const r = http.request(
      { host: url.hostname, port: url.port, method: req.method, path: query ? `${path}?${query}` : path, headers },
      res => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () =>
          resolvePromise({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8')
          })
        )
        res.on('error', reject)
      }
    )
    r.setTimeout(timeoutMs, () => r.destroy(new Error(`${req.method} ${req.path} timed out after ${timeoutMs} ms`)))
    r.on('error', reject)
    r.end(body)
  })
}

/** Content-MD5 of a body (S3 wants it on PUTs that set Object Lock retention). */
export const contentMd5 = (body: Buffer | string): string => createHash('md5').update(body).digest('base64')

// ---------------------------------------------------------------------------------------------------------------
// The server

export interface S3Server extends S3Credentials {
  /** Which server this is ('minio'). */
  readonly name: string
  /** http://127.0.0.1:<port> */
  readonly endpoint: string
  /** Where the (turned off) console is bound: 127.0.0.1:<port>. */
  readonly consoleAddress: string
  readonly dataDir: string
  /** Temp dir holding dataDir, the certs dir and logFile; removed by stop(). */
  readonly baseDir: string
  readonly logFile: string
  readonly args: readonly string[]
  /** pid of the server (setpriv execs it, so the spawned pid). */
  readonly pid: number
  readonly running: boolean
  /** A request signed with the root credentials. */
  request(req: S3Request): Promise<S3Result>
  /** SIGTERM and wait for exit (SIGKILL after 10 s), then remove baseDir. */
  stop(): Promise<void>
  logTail(lines?: number): string
}

export interface StartS3ServerOptions {
  /** The binary (default: s3ServerBin()). */
  bin?: string
  /** Root credentials (default: a fixed user and a random password). */
  accessKeyId?: string
  secretAccessKey?: string
}

const live = new Set<ChildProcess>()
const baseDirs = new Set<string>()

function killLeftovers(): void {
  for (const child of live) child.kill('SIGKILL')
  live.clear()
  for (const dir of baseDirs) rmSync(dir, { recursive: true, force: true })
  baseDirs.clear()
}

/** Kills every server this module started and removes their temp dirs. */
export async function stopAllS3Servers(): Promise<void> {
  await Promise.all(
    [...live].map(
      child =>
        new Promise<void>(done => {
          if (child.exitCode !== null || child.signalCode !== null) return done()
          child.once('exit', () => done())
          child.kill('SIGKILL')
        })
    )
  )
  live.clear()
  for (const dir of baseDirs) rmSync(dir, { recursive: true, force: true })
  baseDirs.clear()
}

const jestAfterAll = (globalThis as { afterAll?: (fn: () => Promise<void>) => void }).afterAll
if (typeof jestAfterAll === 'function') jestAfterAll(stopAllS3Servers)
process.on('exit', killLeftovers)

const sleep = (ms: number): Promise<void> => new Promise(r => setTimeout(r, ms))

/** The environment the server runs with: the caller's, less any MINIO_* or AWS_*, plus these. */
function serverEnv(accessKeyId: string, secretAccessKey: string, home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env)) if (!/^(MINIO|AWS)_/.test(k)) env[k] = v
  return {
    ...env,
    // MinIO makes ~/.minio at start-up even with --certs-dir elsewhere: keep it in the temp dir.
    HOME: home,
    MINIO_ROOT_USER: accessKeyId,
    MINIO_ROOT_PASSWORD: secretAccessKey,
    // No update check at start-up (dl.min.io), no call-home (SUBNET), no console (the embedded web UI).
    MINIO_UPDATE: 'off',
    MINIO_CALLHOME_ENABLE: 'off',
    MINIO_BROWSER: 'off',
    // A data dir on the root disk is fine for a test (MinIO otherwise warns or refuses in some layouts).
    MINIO_CI_CD: '1',
    MINIO_SITE_REGION: 'us-east-1'
  }
}

/** Starts the server and resolves once /minio/health/ready answers 200. Retries twice if a port was taken. */
export async function startS3Server(opts: StartS3ServerOptions = {}): Promise<S3Server> {
  const bin = opts.bin ?? s3ServerBin()
  const name = s3ServerName()
  if (name !== 'minio') throw new Error(`harness/s3-server.ts knows how to run minio, not ${name}`)
  const accessKeyId = opts.accessKeyId ?? 'etcd-snapshot-test'
  const secretAccessKey = opts.secretAccessKey ?? randomBytes(24).toString('hex')
  const baseDir = await mkdtemp(join(tmpdir(), 's3-server-'))
  baseDirs.add(baseDir)
  const dataDir = join(baseDir, 'data')
  const certsDir = join(baseDir, 'certs')
  mkdirSync(dataDir)
  mkdirSync(certsDir)
  const logFile = join(baseDir, 'server.log')
  const env = serverEnv(accessKeyId, secretAccessKey, baseDir)
  const logTail = (lines = 30): string => {
    try {
      return readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n')
    } catch {
      return '(no log)'
    }
  }

  for (let attempt = 1; ; attempt++) {
    const [port, consolePort] = await freePorts(2)
    const endpoint = `http://127.0.0.1:${port}`
    const consoleAddress = `127.0.0.1:${consolePort}`
    const args = [
      'server',
      `--address=127.0.0.1:${port}`,
      `--console-address=${consoleAddress}`,
      `--certs-dir=${certsDir}`,
      dataDir
    ]
    const log = openSync(logFile, 'a')
    let child: ChildProcess
    try {
      const [cmd, argv] = existsSync(SETPRIV_BIN)
        ? [SETPRIV_BIN, ['--pdeathsig', 'KILL', '--', bin, ...args]]
        : [bin, args]
      child = spawn(cmd, argv, { stdio: ['ignore', log, log], env, cwd: baseDir })
    } finally {
      closeSync(log)
    }
    live.add(child)
    child.once('error', () => undefined)
    const exited = new Promise<void>(done => child.once('exit', () => done()))
    void exited.then(() => live.delete(child))
    const running = (): boolean => child.exitCode === null && child.signalCode === null

    const deadline = Date.now() + 60_000
    let ready = false
    while (running() && Date.now() < deadline) {
      try {
        const res = await s3Request(endpoint, null, { method: 'GET', path: '/minio/health/ready' }, 2_000)
        if (res.status === 200) {
          ready = true
          break
        }
      } catch {
        // not listening yet
      }
      await sleep(100)
    }
    if (!ready) {
      const tail = logTail()
      child.kill('SIGKILL')
      await exited
      if (attempt < 3 && /address already in use/i.test(tail)) continue
      throw new Error(`${bin} did not become ready on ${endpoint}:\n${tail}`)
    }

    const creds: S3Credentials = { accessKeyId, secretAccessKey, region: 'us-east-1' }
    return {
      ...creds,
      name,
      endpoint,
      consoleAddress,
      dataDir,
      baseDir,
      logFile,
      args,
      pid: child.pid ?? 0,
      get running() {
        return running()
      },
      request: req => s3Request(endpoint, creds, req),
      stop: async () => {
        if (running()) {
          child.kill('SIGTERM')
          const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
          await exited
          clearTimeout(timer)
        }
        rmSync(baseDir, { recursive: true, force: true })
        baseDirs.delete(baseDir)
      },
      logTail
    }
  }
}
