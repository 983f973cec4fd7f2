/**
 * Real etcd on loopback for tests: single members and small clusters, with kubeadm-style mutual TLS when given a
 * Pki. The release is the one in ETCD_BIN_DIR, which `scripts/dev.sh test` sets to each pinned 3.4, 3.5 and 3.6 in
 * turn (`scripts/dev.sh etcd-path <minor>`), putting the same directory first on PATH so the action under test finds
 * that release's etcdctl and etcdutl; without it, Debian's etcd in /usr/bin.
 *
 * Every process started here is tracked and killed by stopAll() (which importing this module under jest registers
 * as an afterAll hook), by a process 'exit' hook, and (via `setpriv --pdeathsig KILL`) by the kernel if the jest
 * worker dies outright.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { existsSync, closeSync, openSync, readFileSync, rmSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import http from 'node:http'
import https from 'node:https'
import { freePort, freePorts } from '../../src/etcd/ports.js'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Pki } from './pki.js'

export const ETCD_BIN_DIR = process.env['ETCD_BIN_DIR'] || '/usr/bin'
export const ETCD_BIN = join(ETCD_BIN_DIR, 'etcd')
export const ETCDCTL_BIN = join(ETCD_BIN_DIR, 'etcdctl')
/** etcdutl of the same release (etcd 3.5+), which has `snapshot status/restore` (gone from etcdctl in 3.6). */
export const ETCDUTL_BIN: string | undefined = existsSync(join(ETCD_BIN_DIR, 'etcdutl'))
  ? join(ETCD_BIN_DIR, 'etcdutl')
  : undefined
const SETPRIV_BIN = '/usr/bin/setpriv'

/** The release under test, e.g. '3.6.17', as `etcd --version` names it. */
export const ETCD_VERSION: string = (() => {
  const out = execFileSync(ETCD_BIN, ['--version'], { encoding: 'utf8' })
  const version = /^etcd Version: (\S+)$/m.exec(out)?.[1]
  if (!version) throw new Error(`${ETCD_BIN} --version names no version:\n${out}`)
  return version
})()

/** True when the release under test is at least `version` (dotted, e.g. '3.5.10'). */
export function etcdAtLeast(version: string): boolean {
  const have = ETCD_VERSION.split('.').map(Number)
  const want = version.split('.').map(Number)
  for (let i = 0; i < 3; i++) if ((have[i] ?? 0) !== (want[i] ?? 0)) return (have[i] ?? 0) > (want[i] ?? 0)
  return true
}

/**
 * The binary that has `snapshot status` and `snapshot restore` in this release: etcdutl from 3.5 on (etcdctl's
 * copies are deprecated in 3.5 and gone in 3.6), etcdctl in 3.4.
 */
export const SNAPSHOT_TOOL_BIN: string = ETCDUTL_BIN ?? ETCDCTL_BIN

/** etcdctl before 3.6 reads ETCDCTL_API (3.4 defaults to 3 already); 3.6 warns about it as unknown. */
export const API_ENV: Record<string, string> = etcdAtLeast('3.6.0') ? {} : { ETCDCTL_API: '3' }

/** `--bump-revision` and `--mark-compacted` on snapshot restore: etcdctl 3.4.27+, etcdutl 3.5.10+, 3.6. */
export const RESTORE_CAN_BUMP: boolean = etcdAtLeast(ETCDUTL_BIN ? '3.5.10' : '3.4.27')

export interface EtcdMember {
  readonly name: string
  /** e.g. https://127.0.0.1:41234 (http:// when started without a Pki). */
  readonly clientUrl: string
  readonly peerUrl: string
  readonly dataDir: string
  /** Directory holding dataDir and logFile; removed by stopAll() unless the member was given its own dataDir. */
  readonly baseDir: string
  /** pid of the current etcd process (changes on restart). */
  readonly pid: number
  /** etcd's stdout+stderr (zap JSON lines), appended across restarts. */
  readonly logFile: string
  /**
   * ETCDCTL_API (before 3.6, which no longer knows it and warns), ETCDCTL_ENDPOINTS and, with TLS,
   * ETCDCTL_CACERT/CERT/KEY (the healthcheck client cert).
   */
  readonly etcdctlEnv: Record<string, string>
  readonly pki: Pki | undefined
  /** Keep-alive agent presenting the CN-less gateway client cert (see pki.ts); used by the helpers in seed.ts. */
  readonly agent: http.Agent
  /** Every etcd flag this member runs with (restart reuses them). */
  readonly args: readonly string[]
  readonly running: boolean
  /** SIGTERM and wait for exit (SIGKILL after 15 s). No-op when not running. */
  stop(): Promise<void>
  /** Send a signal without waiting (use `exited()` to wait). */
  kill(signal?: NodeJS.Signals): void
  /** Resolves with the exit code/signal once the current process has exited. */
  exited(): Promise<void>
  /**
   * stop() if running, then start again with the same flags, ports and data dir; waits until ready (30 s unless
   * told; a member with gigabytes of data rebuilds its index first).
   */
  restart(readyTimeoutMs?: number): Promise<void>
  /** Last `lines` lines of the log file (for failure messages). */
  logTail(lines?: number): string
}

export interface StartEtcdOptions {
  pki?: Pki
  name?: string
  /** Use this data dir (kept by stopAll) instead of one under a fresh temp dir. */
  dataDir?: string
  extraArgs?: string[]
  quotaBackendBytes?: number
  /**
   * Start from this snapshot file: `snapshot restore` (etcdutl 3.5+, etcdctl 3.4) into the (fresh) data dir with
   * this member's name and peer URL first. A db file copied out of a data dir (no integrity hash) needs
   * restoreArgs ['--skip-hash-check'].
   */
  restoreFrom?: string
  restoreArgs?: string[]
  /** Run this etcd binary instead of ETCD_BIN (another release, for tests across releases). */
  etcdBin?: string
}

export interface EtcdCluster {
  members: EtcdMember[]
  readonly token: string
  readonly pki: Pki | undefined
  /** Like a member's etcdctlEnv, with ETCDCTL_ENDPOINTS listing every member (learners included). */
  readonly etcdctlEnv: Record<string, string>
  /** The member that currently reports itself leader (asks each running member). */
  leader(): Promise<EtcdMember>
  stop(): Promise<void>
}

export interface EtcdStatus {
  /** Hex like etcdctl prints it. */
  memberId: string
  leader: string
  isLearner: boolean
  raftTerm: number
  raftIndex: number
  revision: number
  dbSize: number
  version: string
}

// ---------------------------------------------------------------------------------------------------------------
// Process tracking

const live = new Set<ChildProcess>()
const tempDirs = new Set<string>()

function killLeftovers(): void {
  for (const child of live) {
    try {
      child.kill('SIGKILL')
    } catch {
      // already gone
    }
  }
  live.clear()
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true })
  tempDirs.clear()
}

let exitHookInstalled = false
function track(child: ChildProcess): void {
  live.add(child)
  child.once('exit', () => live.delete(child))
  if (!exitHookInstalled) {
    process.on('exit', killLeftovers)
    exitHookInstalled = true
  }
}

/** Stop every member started by this module instance (SIGKILL: tests are done with them) and remove temp dirs. */
export async function stopAll(): Promise<void> {
  const waits = [...live].map(
    child =>
      new Promise<void>(resolve => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve()
        child.once('exit', () => resolve())
        child.kill('SIGKILL')
      })
  )
  await Promise.all(waits)
  for (const m of members) m.agent.destroy()
  members.clear()
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true })
  tempDirs.clear()
  if (exitHookInstalled) {
    process.off('exit', killLeftovers)
    exitHookInstalled = false
  }
}

// Safety net for a test file that forgets `afterAll(stopAll)`: importing this module under jest registers one.
// It runs before the file's own afterAll hooks (jest runs them in registration order), so cleanups that still need
// etcd belong in afterEach or in the tests themselves.
const jestAfterAll = (globalThis as { afterAll?: (fn: () => Promise<void>) => void }).afterAll
if (typeof jestAfterAll === 'function') jestAfterAll(stopAll)

// ---------------------------------------------------------------------------------------------------------------
// Ports

// Ports free a moment ago (the action's own helpers); callers retry if etcd then fails to bind them.
export { freePort }

class PortInUseError extends Error {}

// ---------------------------------------------------------------------------------------------------------------
// HTTP(S) to a member

export interface HttpResult {
  status: number
  body: string
}

/** One request to a member's client URL, over its keep-alive agent (client cert when TLS). */
export function memberRequest(
  member: Pick<EtcdMember, 'clientUrl' | 'agent'>,
  method: 'GET' | 'POST',
  path: string,
  body?: string,
  headers: Record<string, string> = {},
  timeoutMs = 30_000
): Promise<HttpResult> {
  const url = new URL(path, member.clientUrl)
  const lib = url.protocol === 'https:' ? https : http
  return new Promise((resolve, reject) => {
    const req = lib.request(
      url,
      {
        method,
        agent: member.agent,
        headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers }
      },
      res => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }))
        res.on('error', reject)
      }
    )
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${url.href} timed out after ${timeoutMs} ms`)))
    req.on('error', reject)
    req.end(body)
  })
}

/** Member status from the v3 gateway (works on learners too, unlike /health). */
export async function memberStatus(member: Pick<EtcdMember, 'clientUrl' | 'agent'>): Promise<EtcdStatus> {
  const res = await memberRequest(member, 'POST', '/v3/maintenance/status', '{}', {}, 5_000)
  if (res.status !== 200) throw new Error(`status from ${member.clientUrl}: HTTP ${res.status} ${res.body}`)
  const s = JSON.parse(res.body) as {
    header?: { member_id?: string; revision?: string }
    leader?: string
    isLearner?: boolean
    raftTerm?: string
    raftIndex?: string
    dbSize?: string
    version?: string
  }
  const hex = (v: string | undefined): string => BigInt(v ?? '0').toString(16)
  return {
    memberId: hex(s.header?.member_id),
    leader: hex(s.leader),
    isLearner: s.isLearner === true,
    raftTerm: Number(s.raftTerm ?? 0),
    raftIndex: Number(s.raftIndex ?? 0),
    revision: Number(s.header?.revision ?? 0),
    dbSize: Number(s.dbSize ?? 0),
    version: s.version ?? ''
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Members

const members = new Set<EtcdProcess>()

interface MemberSpec {
  name: string
  clientPort: number
  peerPort: number
  baseDir: string
  dataDir: string
  pki: Pki | undefined
  initialCluster: string
  clusterState: 'new' | 'existing'
  token: string
  quotaBackendBytes: number | undefined
  extraArgs: string[]
  /** Learners fail /health in 3.4 (it does a linearizable read), so readiness is "status answers". */
  learner: boolean
  etcdBin?: string
}

function buildArgs(s: MemberSpec): string[] {
  const scheme = s.pki ? 'https' : 'http'
  const clientUrl = `${scheme}://127.0.0.1:${s.clientPort}`
  const peerUrl = `${scheme}://127.0.0.1:${s.peerPort}`
  const args = [
    `--name=${s.name}`,
    `--data-dir=${s.dataDir}`,
    `--listen-client-urls=${clientUrl}`,
    `--advertise-client-urls=${clientUrl}`,
    `--listen-peer-urls=${peerUrl}`,
    `--initial-advertise-peer-urls=${peerUrl}`,
    `--initial-cluster=${s.initialCluster}`,
    `--initial-cluster-state=${s.clusterState}`,
    `--initial-cluster-token=${s.token}`,
    '--logger=zap',
    '--log-outputs=stderr'
  ]
  if (s.pki) {
    args.push(
      '--client-cert-auth',
      `--trusted-ca-file=${s.pki.caCert}`,
      `--cert-file=${s.pki.serverCert}`,
      `--key-file=${s.pki.serverKey}`,
      '--peer-client-cert-auth',
      `--peer-trusted-ca-file=${s.pki.caCert}`,
      `--peer-cert-file=${s.pki.peerCert}`,
      `--peer-key-file=${s.pki.peerKey}`
    )
  }
  if (s.quotaBackendBytes !== undefined) args.push(`--quota-backend-bytes=${s.quotaBackendBytes}`)
  args.push(...s.extraArgs)
  return args
}

function makeAgent(pki: Pki | undefined): http.Agent {
  if (!pki) return new http.Agent({ keepAlive: true, maxSockets: 16 })
  return new https.Agent({
    keepAlive: true,
    maxSockets: 16,
    ca: pki.pem('caCert'),
    cert: pki.pem('gatewayClientCert'),
    key: pki.pem('gatewayClientKey'),
    servername: 'localhost'
  })
}

const sleep = (ms: number): Promise<void> => new Promise(r => setTimeout(r, ms))

class EtcdProcess implements EtcdMember {
  readonly name: string
  readonly clientUrl: string
  readonly peerUrl: string
  readonly dataDir: string
  readonly baseDir: string
  readonly logFile: string
  readonly etcdctlEnv: Record<string, string>
  readonly pki: Pki | undefined
  readonly agent: http.Agent
  readonly args: readonly string[]
  private readonly etcdBin: string
  /** Learners fail /health in 3.4, so readiness falls back to status; cleared by promoteLearner. */
  learner: boolean
  private child: ChildProcess | undefined
  private exitPromise: Promise<void> = Promise.resolve()

  constructor(spec: MemberSpec) {
    const scheme = spec.pki ? 'https' : 'http'
    this.name = spec.name
    this.clientUrl = `${scheme}://127.0.0.1:${spec.clientPort}`
    this.peerUrl = `${scheme}://127.0.0.1:${spec.peerPort}`
    this.dataDir = spec.dataDir
    this.baseDir = spec.baseDir
    this.logFile = join(spec.baseDir, `${spec.name}.log`)
    this.pki = spec.pki
    this.learner = spec.learner
    this.args = buildArgs(spec)
    this.etcdBin = spec.etcdBin ?? ETCD_BIN
    this.agent = makeAgent(spec.pki)
    this.etcdctlEnv = { ...API_ENV, ETCDCTL_ENDPOINTS: this.clientUrl }
    if (spec.pki) {
      this.etcdctlEnv.ETCDCTL_CACERT = spec.pki.caCert
      this.etcdctlEnv.ETCDCTL_CERT = spec.pki.clientCert
      this.etcdctlEnv.ETCDCTL_KEY = spec.pki.clientKey
    }
    members.add(this)
  }

  get pid(): number {
    return this.child?.pid ?? -1
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null
  }

  /** Spawn etcd (no wait). */
  spawn(): void {
    if (this.running) throw new Error(`etcd member ${this.name} is already running`)
    const log = openSync(this.logFile, 'a')
    try {
      // setpriv makes the kernel SIGKILL etcd when the spawning thread (the jest worker) dies, even by SIGKILL.
      const [cmd, argv] = existsSync(SETPRIV_BIN)
        ? [SETPRIV_BIN, ['--pdeathsig', 'KILL', '--', this.etcdBin, ...this.args]]
        : [this.etcdBin, [...this.args]]
      const child = spawn(cmd, argv, { stdio: ['ignore', log, log] })
      this.child = child
      this.exitPromise = new Promise(resolve => child.once('exit', () => resolve()))
      child.once('error', () => undefined)
      track(child)
    } finally {
      closeSync(log)
    }
  }

  /** Wait until the member serves: /health OK (voters) or status answers (learners). */
  async waitReady(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs
    let last = ''
    while (Date.now() < deadline) {
      if (!this.running) {
        const tail = this.logTail(20)
        if (/address already in use/.test(tail)) throw new PortInUseError(tail)
        throw new Error(`etcd member ${this.name} exited during startup; log ${this.logFile}:\n${tail}`)
      }
      try {
        if (this.learner) {
          await memberStatus(this)
          return
        }
        const res = await memberRequest(this, 'GET', '/health', undefined, {}, 2_000)
        if (res.status === 200 && /"health":\s*"true"/.test(res.body)) return
        last = `HTTP ${res.status} ${res.body}`
      } catch (e: unknown) {
        last = e instanceof Error ? e.message : String(e)
      }
      await sleep(50)
    }
    throw new Error(`etcd member ${this.name} not ready after ${timeoutMs} ms (${last}); log:\n${this.logTail(20)}`)
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    this.child?.kill(signal)
  }

  exited(): Promise<void> {
    return this.exitPromise
  }

  async stop(): Promise<void> {
    if (this.running) {
      this.child?.kill('SIGTERM')
      const timer = setTimeout(() => this.child?.kill('SIGKILL'), 15_000)
      await this.exitPromise
      clearTimeout(timer)
    }
    this.agent.destroy()
  }

  async restart(readyTimeoutMs?: number): Promise<void> {
    await this.stop()
    this.spawn()
    await this.waitReady(readyTimeoutMs)
  }

  logTail(lines = 30): string {
    try {
      return readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n')
    } catch {
      return '(no log)'
    }
  }
}

async function newBaseDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'etcd-test-'))
  tempDirs.add(dir)
  return dir
}

const ATTEMPTS = 5

/** Start a single-member etcd on random loopback ports; resolves once /health says true. */
export async function startEtcd(opts: StartEtcdOptions = {}): Promise<EtcdMember> {
  const name = opts.name ?? 'etcd-0'
  for (let attempt = 1; ; attempt++) {
    const [clientPort, peerPort] = await freePorts(2)
    const baseDir = await newBaseDir()
    const scheme = opts.pki ? 'https' : 'http'
    const member = new EtcdProcess({
      name,
      clientPort: clientPort!,
      peerPort: peerPort!,
      baseDir,
      dataDir: opts.dataDir ?? join(baseDir, `${name}.etcd`),
      pki: opts.pki,
      initialCluster: `${name}=${scheme}://127.0.0.1:${peerPort}`,
      clusterState: 'new',
      token: `etcd-test-${clientPort}`,
      quotaBackendBytes: opts.quotaBackendBytes,
      extraArgs: opts.extraArgs ?? [],
      learner: false,
      etcdBin: opts.etcdBin
    })
    if (opts.restoreFrom) {
      const restore = await snapshotTool([
        'snapshot',
        'restore',
        opts.restoreFrom,
        `--name=${name}`,
        `--data-dir=${member.dataDir}`,
        `--initial-cluster=${name}=${member.peerUrl}`,
        `--initial-advertise-peer-urls=${member.peerUrl}`,
        `--initial-cluster-token=etcd-test-${clientPort}`,
        ...(opts.restoreArgs ?? [])
      ])
      if (restore.code !== 0) throw new Error(`${SNAPSHOT_TOOL_BIN} snapshot restore failed: ${restore.stderr.trim()}`)
    }
    member.spawn()
    try {
      await member.waitReady()
      return member
    } catch (e: unknown) {
      await member.stop()
      if (!(e instanceof PortInUseError) || attempt >= ATTEMPTS) throw e
      if (!opts.dataDir || opts.restoreFrom) rmSync(member.dataDir, { recursive: true, force: true })
    }
  }
}

/** Start an n-member cluster (peer TLS when pki given); resolves once every member's /health says true. */
export async function startCluster(n: number, opts: { pki?: Pki; extraArgs?: string[] } = {}): Promise<EtcdCluster> {
  for (let attempt = 1; ; attempt++) {
    const ports = await freePorts(2 * n)
    const baseDir = await newBaseDir()
    const scheme = opts.pki ? 'https' : 'http'
    const token = `etcd-test-cluster-${ports[0]}`
    const names = Array.from({ length: n }, (_, i) => `etcd-${i}`)
    const initialCluster = names.map((nm, i) => `${nm}=${scheme}://127.0.0.1:${ports[2 * i + 1]}`).join(',')
    const list = names.map(
      (nm, i) =>
        new EtcdProcess({
          name: nm,
          clientPort: ports[2 * i]!,
          peerPort: ports[2 * i + 1]!,
          baseDir,
          dataDir: join(baseDir, `${nm}.etcd`),
          pki: opts.pki,
          initialCluster,
          clusterState: 'new',
          token,
          quotaBackendBytes: undefined,
          extraArgs: opts.extraArgs ?? [],
          learner: false
        })
    )
    for (const m of list) m.spawn()
    const results = await Promise.allSettled(list.map(m => m.waitReady()))
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
    if (!failure) return makeCluster(list, token, opts.pki)
    await Promise.all(list.map(m => m.stop()))
    const portConflict = results.some(r => r.status === 'rejected' && r.reason instanceof PortInUseError)
    if (!portConflict || attempt >= ATTEMPTS) throw failure.reason
    rmSync(baseDir, { recursive: true, force: true })
  }
}

function makeCluster(list: EtcdMember[], token: string, pki: Pki | undefined): EtcdCluster {
  const cluster: EtcdCluster = {
    members: list,
    token,
    pki,
    get etcdctlEnv() {
      return { ...list[0]!.etcdctlEnv, ETCDCTL_ENDPOINTS: cluster.members.map(m => m.clientUrl).join(',') }
    },
    async leader() {
      for (const m of cluster.members) {
        if (!m.running) continue
        try {
          const s = await memberStatus(m)
          if (s.leader !== '0' && s.leader === s.memberId) return m
        } catch {
          // a member that does not answer is not the leader
        }
      }
      throw new Error('no running member reports itself leader')
    },
    async stop() {
      await Promise.all(cluster.members.map(m => m.stop()))
    }
  }
  return cluster
}

/**
 * Add a learner (etcd 3.4: `member add --learner`) and start it with --initial-cluster-state existing. The new
 * member is appended to cluster.members and resolved once it answers status requests.
 */
export async function addLearner(
  cluster: EtcdCluster,
  name = `learner-${cluster.members.length}`
): Promise<EtcdMember> {
  const via = cluster.members.find(m => m.running)
  if (!via) throw new Error('addLearner: no running member')
  for (let attempt = 1; ; attempt++) {
    const [clientPort, peerPort] = await freePorts(2)
    const scheme = cluster.pki ? 'https' : 'http'
    const peerUrl = `${scheme}://127.0.0.1:${peerPort}`
    // etcd refuses reconfiguration until every voter has been connected for 5 s ("unhealthy cluster").
    let add = await etcdctl(via, ['member', 'add', name, '--learner', `--peer-urls=${peerUrl}`])
    for (const deadline = Date.now() + 20_000; add.code !== 0 && /unhealthy cluster/.test(add.stderr);) {
      if (Date.now() > deadline) break
      await sleep(500)
      add = await etcdctl(via, ['member', 'add', name, '--learner', `--peer-urls=${peerUrl}`])
    }
    if (add.code !== 0) throw new Error(`etcdctl member add --learner failed: ${add.stderr.trim()}`)
    const initialCluster = /ETCD_INITIAL_CLUSTER="([^"]*)"/.exec(add.stdout)?.[1]
    if (!initialCluster) throw new Error(`unexpected member add output: ${add.stdout}`)
    const baseDir = await newBaseDir()
    const member = new EtcdProcess({
      name,
      clientPort: clientPort!,
      peerPort: peerPort!,
      baseDir,
      dataDir: join(baseDir, `${name}.etcd`),
      pki: cluster.pki,
      initialCluster,
      clusterState: 'existing',
      token: cluster.token,
      quotaBackendBytes: undefined,
      extraArgs: [],
      learner: true
    })
    member.spawn()
    try {
      await member.waitReady()
      cluster.members.push(member)
      return member
    } catch (e: unknown) {
      await member.stop()
      // Take the half-added member out again so the cluster stays healthy for the retry or the caller.
      const id = await memberIdByPeerUrl(via, peerUrl)
      if (id) await etcdctl(via, ['member', 'remove', id])
      if (!(e instanceof PortInUseError) || attempt >= ATTEMPTS) throw e
    }
  }
}

/** Promote a learner added by addLearner to a voting member (retries while it is still catching up). */
export async function promoteLearner(cluster: EtcdCluster, learner: EtcdMember): Promise<void> {
  const via = cluster.members.find(m => m.running && m !== learner)
  if (!via) throw new Error('promoteLearner: no running voting member')
  const { memberId } = await memberStatus(learner)
  const deadline = Date.now() + 30_000
  for (;;) {
    const res = await etcdctl(via, ['member', 'promote', memberId])
    if (res.code === 0) break
    if (!/not in sync|unhealthy cluster/.test(res.stderr) || Date.now() > deadline) {
      throw new Error(`etcdctl member promote failed: ${res.stderr.trim()}`)
    }
    await sleep(200)
  }
  // The leader commits the promotion; the learner applies it a moment later. Until it has, its own status still
  // says learner, so wait for that: callers ask the promoted member itself.
  while ((await memberStatus(learner)).isLearner) {
    if (Date.now() > deadline)
      throw new Error(`${learner.clientUrl} still reports itself a learner after its promotion`)
    await sleep(100)
  }
  if (learner instanceof EtcdProcess) learner.learner = false
}

/** Hex member id of the member with this peer URL, from `member list -w json`. */
export async function memberIdByPeerUrl(via: EtcdMember, peerUrl: string): Promise<string | undefined> {
  const res = await etcdctl(via, ['member', 'list', '-w', 'json'])
  if (res.code !== 0) return undefined
  const list = JSON.parse(res.stdout) as { members?: { ID: number | string; peerURLs?: string[] }[] }
  const found = list.members?.find(m => m.peerURLs?.includes(peerUrl))
  // etcdctl -w json prints uint64 ids as JSON numbers, which lose precision as doubles; re-read them exactly.
  if (!found) return undefined
  const exact = new RegExp(`"ID":(\\d+),[^}]*"peerURLs":\\["${peerUrl.replace(/[.:/]/g, c => `\\${c}`)}"`).exec(
    res.stdout
  )
  return exact ? BigInt(exact[1]!).toString(16) : undefined
}

// ---------------------------------------------------------------------------------------------------------------
// etcdctl

export interface EtcdctlResult {
  stdout: string
  stderr: string
  /** Exit code (-1 if killed by a signal or timed out). */
  code: number
}

/**
 * Run etcdctl against a member (or cluster) with its etcdctlEnv (credentials via env, never argv). Inherited ETCDCTL_*
 * vars are dropped first; a flag in args (e.g. --endpoints=...) drops its variable; extraEnv wins last, and an
 * `undefined` value removes a variable (e.g. ETCDCTL_CERT for a no-cert test). Never rejects: check `code`.
 */
export function etcdctl(
  member: Pick<EtcdMember, 'etcdctlEnv'>,
  args: string[],
  extraEnv: Record<string, string | undefined> = {},
  opts: { timeoutMs?: number } = {}
): Promise<EtcdctlResult> {
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('ETCDCTL_')) env[k] = v
  Object.assign(env, member.etcdctlEnv)
  // etcdctl 3.4 exits when a flag and its ETCDCTL_* variable are both set, so a flag on argv drops the variable.
  for (const arg of args) {
    const flag = /^--([a-z][a-z-]*)/.exec(arg)?.[1]
    if (flag) delete env[`ETCDCTL_${flag.toUpperCase().replace(/-/g, '_')}`]
  }
  for (const [k, v] of Object.entries(extraEnv)) {
    if (v === undefined) delete env[k]
    else env[k] = v
  }
  return runBinary(ETCDCTL_BIN, args, env, opts.timeoutMs)
}

/**
 * Run this release's snapshot tool (etcdutl 3.5+, etcdctl 3.4; see SNAPSHOT_TOOL_BIN) on a file: `snapshot status`,
 * `snapshot restore`. No member is involved. Never rejects: check `code`.
 */
export function snapshotTool(args: string[], opts: { timeoutMs?: number } = {}): Promise<EtcdctlResult> {
  const env: Record<string, string> = { ...API_ENV }
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('ETCDCTL_')) env[k] = v
  return runBinary(SNAPSHOT_TOOL_BIN, args, env, opts.timeoutMs)
}

function runBinary(
  binary: string,
  args: string[],
  env: Record<string, string>,
  timeoutMs = 60_000
): Promise<EtcdctlResult> {
  return new Promise(resolve => {
    execFile(
      binary,
      args,
      { env, timeout: timeoutMs, maxBuffer: 256 * 1024 * 1024, encoding: 'utf8' },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0
        resolve({ stdout, stderr, code })
      }
    )
  })
}
