/**
 * A real kube-apiserver on loopback for the runbook test: the release pinned in scripts/kube/go.mod (built once per
 * machine by `scripts/dev.sh kube-apiserver-path`, or KUBE_APISERVER_BIN), alone, with no kubelet, scheduler or
 * controllers. It stores its objects in a test etcd over that etcd's mutual TLS, encrypts Secrets with aescbc when
 * asked (ConfigMaps stay in the clear), compacts etcd on its own every few seconds, and is reached over HTTPS with a
 * client certificate in system:masters.
 *
 * Every server started here is killed by stopAllApiservers() (registered as an afterAll hook under jest), by a process
 * 'exit' hook, and (setpriv --pdeathsig KILL) by the kernel if the jest worker dies.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { closeSync, existsSync, openSync, readFileSync, writeFileSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import https from 'node:https'
import { join } from 'node:path'
import { freePort } from '../../src/etcd/ports.js'
import { ROOT } from './action-runner.js'
import type { EtcdMember } from './etcd.js'
import { openssl } from './pki.js'

const SETPRIV_BIN = '/usr/bin/setpriv'

/**
 * The kube-apiserver binary: KUBE_APISERVER_BIN, else the pinned release from `scripts/dev.sh kube-apiserver-path`,
 * which builds it first when this machine has none (many minutes; see scripts/kube/go.mod).
 */
export function kubeApiserverBin(): string {
  const given = process.env['KUBE_APISERVER_BIN']
  if (given) return given
  return execFileSync(join(ROOT, 'scripts', 'dev.sh'), ['kube-apiserver-path'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit']
  }).trim()
}

/** `Kubernetes v1.34.4` → 'v1.34.4'. */
export function kubeVersion(bin: string): string {
  return execFileSync(bin, ['--version'], { encoding: 'utf8' })
    .trim()
    .replace(/^Kubernetes /, '')
}

// ---------------------------------------------------------------------------------------------------------------
// PKI: the cluster CA, the API server's serving cert, an admin client cert and the service-account signing key

export interface KubePki {
  dir: string
  caCert: string
  servingCert: string
  servingKey: string
  adminCert: string
  adminKey: string
  serviceAccountKey: string
  serviceAccountPub: string
}

const OPENSSL_CONFIG = `[req]
distinguished_name = dn
prompt = no
[dn]
CN = placeholder
[ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,digitalSignature,keyEncipherment,keyCertSign
subjectKeyIdentifier = hash
[serving]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,IP:127.0.0.1,IP:10.96.0.1
authorityKeyIdentifier = keyid
[client]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = clientAuth
authorityKeyIdentifier = keyid
`

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes']

async function leaf(dir: string, name: string, subject: string, profile: 'serving' | 'client'): Promise<void> {
  await openssl(
    [
      'req',
      '-new',
      '-config',
      'openssl.cnf',
      ...EC_KEY,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
      '-subj',
      subject
    ],
    dir
  )
  await openssl(
    [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-set_serial',
      `0x${randomBytes(16).toString('hex')}`,
      '-out',
      `${name}.crt`,
      '-days',
      '365',
      '-sha256',
      '-extfile',
      'openssl.cnf',
      '-extensions',
      profile
    ],
    dir
  )
}

/** Creates the cluster's PKI in `dir` (kubeadm's /etc/kubernetes/pki, less what this test does not run). */
export async function makeKubePki(dir: string): Promise<KubePki> {
  await mkdir(dir, { recursive: true })
  writeFileSync(join(dir, 'openssl.cnf'), OPENSSL_CONFIG)
  await openssl(
    [
      'req',
      '-x509',
      '-config',
      'openssl.cnf',
      '-extensions',
      'ca',
      ...EC_KEY,
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt'
    ].concat(['-subj', '/CN=kubernetes', '-days', '3650', '-sha256']),
    dir
  )
  await Promise.all([
    leaf(dir, 'apiserver', '/CN=kube-apiserver', 'serving'),
    leaf(dir, 'admin', '/O=system:masters/CN=kubernetes-admin', 'client'),
    openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'sa.key'], dir).then(() =>
      openssl(['ec', '-in', 'sa.key', '-pubout', '-out', 'sa.pub'], dir)
    )
  ])
  return {
    dir,
    caCert: join(dir, 'ca.crt'),
    servingCert: join(dir, 'apiserver.crt'),
    servingKey: join(dir, 'apiserver.key'),
    adminCert: join(dir, 'admin.crt'),
    adminKey: join(dir, 'admin.key'),
    serviceAccountKey: join(dir, 'sa.key'),
    serviceAccountPub: join(dir, 'sa.pub')
  }
}

/**
 * An EncryptionConfiguration that encrypts Secrets with aescbc under the key named `keyName` (stored values start
 * with `k8s:enc:aescbc:v1:<keyName>:`) and lists nothing else, so ConfigMaps and every other resource stay in the
 * clear. Returns the file's path.
 */
export function writeEncryptionConfig(dir: string, keyName = 'runbook-key'): string {
  const file = join(dir, 'encryption-config.yaml')
  writeFileSync(
    file,
    [
      'apiVersion: apiserver.config.k8s.io/v1',
      'kind: EncryptionConfiguration',
      'resources:',
      '  - resources: [secrets]',
      '    providers:',
      '      - aescbc:',
      '          keys:',
      `            - name: ${keyName}`,
      `              secret: ${randomBytes(32).toString('base64')}`,
      '      - identity: {}',
      ''
    ].join('\n'),
    { mode: 0o600 }
  )
  return file
}

// ---------------------------------------------------------------------------------------------------------------
// The server

export interface StartKubeApiserverOptions {
  bin: string
  kubePki: KubePki
  /** The etcd it stores in; its Pki's healthcheck client cert is the API server's etcd client cert. */
  etcd: Pick<EtcdMember, 'clientUrl' | 'pki'>
  /** Directory for the log file. */
  dir: string
  /** --encryption-provider-config; none when absent (every Secret stored in the clear). */
  encryptionConfig?: string
  /** --etcd-compaction-interval (the default is 5m). */
  compactionInterval?: string
  /** Log file name inside dir. */
  name?: string
  /** How long to wait for /readyz (default 180 s); the server is stopped when it is not ready by then. */
  readyTimeoutMs?: number
}

export interface ApiResult<T = KubeObject> {
  status: number
  body: T
}

/** The fields of an object the test reads; everything else is compared whole. */
export interface KubeObject {
  apiVersion?: string
  kind?: string
  metadata?: { name?: string; namespace?: string; resourceVersion?: string; [k: string]: unknown }
  items?: KubeObject[]
  code?: number
  reason?: string
  message?: string
  data?: Record<string, string>
  [k: string]: unknown
}

export interface WatchEvent {
  type: string
  object: KubeObject
}

export interface Watch {
  /** HTTP status of the watch request. */
  status: number
  /** Events received so far (a 410 Gone arrives as an ERROR event whose object is a Status with code 410). */
  readonly events: WatchEvent[]
  /** Resolves with the first event matching `match`, or rejects after timeoutMs. */
  next(match: (e: WatchEvent) => boolean, timeoutMs?: number): Promise<WatchEvent>
  /** Resolves when the server ends the stream (or close() is called). */
  ended: Promise<void>
  close(): void
}

export interface KubeApiserver {
  /** https://127.0.0.1:<port> */
  readonly url: string
  readonly logFile: string
  readonly args: readonly string[]
  readonly running: boolean
  request<T = KubeObject>(method: string, path: string, body?: unknown): Promise<ApiResult<T>>
  /** GET path?watch=1&resourceVersion=rv (path is a collection, such as /api/v1/namespaces/x/configmaps). */
  watch(path: string, resourceVersion: string): Promise<Watch>
  /**
   * SIGTERM, as the kubelet stops a static pod, and wait for exit; SIGKILL after graceMs (the kubelet's default grace
   * period is 30 s). With a watch open, kube-apiserver stops listening at once but does not exit before the kill.
   */
  stop(graceMs?: number): Promise<void>
  logTail(lines?: number): string
}

const live = new Set<ChildProcess>()

function killLeftovers(): void {
  for (const child of live) child.kill('SIGKILL')
  live.clear()
}

/** Kills every API server this module started. */
export async function stopAllApiservers(): Promise<void> {
  await Promise.all(
    [...live].map(
      child =>
        new Promise<void>(resolve => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve()
          child.once('exit', () => resolve())
          child.kill('SIGKILL')
        })
    )
  )
  live.clear()
}

const jestAfterAll = (globalThis as { afterAll?: (fn: () => Promise<void>) => void }).afterAll
if (typeof jestAfterAll === 'function') jestAfterAll(stopAllApiservers)
process.on('exit', killLeftovers)

const sleep = (ms: number): Promise<void> => new Promise(r => setTimeout(r, ms))

/** Starts kube-apiserver and resolves once /readyz answers ok (every post-start hook done). */
export async function startKubeApiserver(opts: StartKubeApiserverOptions): Promise<KubeApiserver> {
  const etcdPki = opts.etcd.pki
  if (!etcdPki) throw new Error('the API server needs an etcd with TLS (a Pki)')
  const port = await freePort()
  const url = `https://127.0.0.1:${port}`
  const logFile = join(opts.dir, `${opts.name ?? 'kube-apiserver'}.log`)
  const p = opts.kubePki
  const args = [
    '--advertise-address=127.0.0.1',
    '--bind-address=127.0.0.1',
    `--secure-port=${port}`,
    `--tls-cert-file=${p.servingCert}`,
    `--tls-private-key-file=${p.servingKey}`,
    `--client-ca-file=${p.caCert}`,
    '--authorization-mode=RBAC',
    `--etcd-servers=${opts.etcd.clientUrl}`,
    `--etcd-cafile=${etcdPki.caCert}`,
    `--etcd-certfile=${etcdPki.clientCert}`,
    `--etcd-keyfile=${etcdPki.clientKey}`,
    `--etcd-compaction-interval=${opts.compactionInterval ?? '5m'}`,
    `--service-account-issuer=https://kubernetes.default.svc.cluster.local`,
    `--service-account-key-file=${p.serviceAccountPub}`,
    `--service-account-signing-key-file=${p.serviceAccountKey}`,
    '--service-cluster-ip-range=10.96.0.0/12',
    '--profiling=false',
    '--v=1'
  ]
  if (opts.encryptionConfig) args.push(`--encryption-provider-config=${opts.encryptionConfig}`)

  const log = openSync(logFile, 'a')
  let child: ChildProcess
  try {
    const [cmd, argv] = existsSync(SETPRIV_BIN)
      ? [SETPRIV_BIN, ['--pdeathsig', 'KILL', '--', opts.bin, ...args]]
      : [opts.bin, args]
    child = spawn(cmd, argv, { stdio: ['ignore', log, log] })
  } finally {
    closeSync(log)
  }
  live.add(child)
  child.once('error', () => undefined)
  const exited = new Promise<void>(resolve => child.once('exit', () => resolve()))
  void exited.then(() => live.delete(child))

  const agent = new https.Agent({
    keepAlive: true,
    maxSockets: 16,
    ca: readFileSync(p.caCert),
    cert: readFileSync(p.adminCert),
    key: readFileSync(p.adminKey)
  })
  const running = (): boolean => child.exitCode === null && child.signalCode === null
  const logTail = (lines = 30): string => {
    try {
      return readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n')
    } catch {
      return '(no log)'
    }
  }

  const request = <T = KubeObject>(method: string, path: string, body?: unknown): Promise<ApiResult<T>> =>
    new Promise((resolve, reject) => {
      const req = https.request(
        new URL(path, url),
        {
          method,
          agent,
          headers: {
            accept: 'application/json',
            ...(body === undefined ? {} : { 'content-type': 'application/json' })
          }
        },
        res => {
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8')
            let parsed: unknown = text
            try {
              parsed = JSON.parse(text)
            } catch {
              // not JSON (/readyz answers text)
            }
            resolve({ status: res.statusCode ?? 0, body: parsed as T })
          })
          res.on('error', reject)
        }
      )
      req.setTimeout(60_000, () => req.destroy(new Error(`${method} ${path} timed out`)))
      req.on('error', reject)
      req.end(body === undefined ? undefined : JSON.stringify(body))
    })

  const watch = (path: string, resourceVersion: string): Promise<Watch> =>
    new Promise((resolve, reject) => {
      const target = new URL(path, url)
      target.searchParams.set('watch', '1')
      target.searchParams.set('resourceVersion', resourceVersion)
      target.searchParams.set('allowWatchBookmarks', 'true')
      // Its own connection, so close() cannot disturb the keep-alive pool.
      const req = https.request(target, {
        method: 'GET',
        ca: readFileSync(p.caCert),
        cert: readFileSync(p.adminCert),
        key: readFileSync(p.adminKey),
        headers: { accept: 'application/json' }
      })
      req.on('error', reject)
      req.on('response', res => {
        const events: WatchEvent[] = []
        const waiters: { match: (e: WatchEvent) => boolean; resolve: (e: WatchEvent) => void }[] = []
        let buffered = ''
        const deliver = (e: WatchEvent): void => {
          events.push(e)
          for (const w of [...waiters])
            if (w.match(e)) {
              waiters.splice(waiters.indexOf(w), 1)
              w.resolve(e)
            }
        }
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => {
          buffered += chunk
          for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
            const line = buffered.slice(0, nl).trim()
            buffered = buffered.slice(nl + 1)
            if (line) deliver(JSON.parse(line) as WatchEvent)
          }
        })
        const ended = new Promise<void>(done => {
          res.once('close', () => done())
          res.once('error', () => done())
        })
        // A non-200 answer is one Status document, not a stream of events.
        if (res.statusCode !== 200)
          res.once(
            'end',
            () => buffered.trim() && deliver({ type: 'HTTP', object: JSON.parse(buffered) as KubeObject })
          )
        resolve({
          status: res.statusCode ?? 0,
          events,
          ended,
          next(match, timeoutMs = 30_000) {
            const seen = events.find(match)
            if (seen) return Promise.resolve(seen)
            return new Promise((ok, fail) => {
              const timer = setTimeout(() => {
                waiters.splice(waiters.indexOf(waiter), 1)
                fail(
                  new Error(
                    `watch ${path} from ${resourceVersion}: no such event after ${timeoutMs} ms; got ${JSON.stringify(events.map(e => e.type))}`
                  )
                )
              }, timeoutMs)
              const waiter = {
                match,
                resolve: (e: WatchEvent) => {
                  clearTimeout(timer)
                  ok(e)
                }
              }
              waiters.push(waiter)
            })
          },
          close() {
            req.destroy()
          }
        })
      })
      req.end()
    })

  const server: KubeApiserver = {
    url,
    logFile,
    args,
    get running() {
      return running()
    },
    request,
    watch,
    async stop(graceMs = 30_000) {
      if (running()) {
        child.kill('SIGTERM')
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
        await exited
        clearTimeout(timer)
      }
      agent.destroy()
    },
    logTail
  }

  // A cold start on 2 busy cores installs RBAC's bootstrap roles, priority levels and the rest before /readyz is ok.
  const readyTimeoutMs = opts.readyTimeoutMs ?? 180_000
  const deadline = Date.now() + readyTimeoutMs
  let last = ''
  while (Date.now() < deadline) {
    if (!running()) throw new Error(`kube-apiserver exited during startup; log ${logFile}:\n${logTail(40)}`)
    try {
      const res = await request<string>('GET', '/readyz')
      if (res.status === 200) return server
      last = `HTTP ${res.status} ${String(res.body).slice(0, 500)}`
    } catch (e: unknown) {
      last = e instanceof Error ? e.message : String(e)
    }
    await sleep(250)
  }
  await server.stop()
  throw new Error(
    `kube-apiserver not ready after ${readyTimeoutMs / 1000} s (${last}); log ${logFile}:\n${logTail(40)}`
  )
}
