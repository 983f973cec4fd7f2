/**
 * The restore drill: proves a snapshot restores and serves what it should, the way a disaster would need it. It
 * restores into a temp dir, boots a throwaway single-member etcd on 127.0.0.1 (random free ports, a new cluster of
 * itself with a unique token, so it can never join or reach a real member), and compares what etcd itself serves
 * with what the snapshot was verified to hold: the revision, the number of live keys and the HashKV at that revision.
 */
import * as io from '@actions/io'
import { spawn, type ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { closeSync, openSync, promises as fs, readFileSync, rmSync, statSync } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { ConfigurationError, EtcdError, VerificationError } from '../errors.js'
import { makePrivateDir } from '../tempfiles.js'
import { parseJsonWithBigIds } from '../etcd/json.js'
import { freePorts } from '../etcd/ports.js'
import { childEnv, runTool } from '../etcd/process.js'
import { restoreSnapshot } from '../restore/data-dir.js'
import type { EtcdTool, EtcdTools } from '../etcd/tools.js'

/** The etcd user the drill's etcdctl authenticates as: the restored member keeps the snapshot's users and auth. */
export interface DrillCredentials {
  username?: string
  password?: string
}

export interface DrillExpectation {
  /** The snapshot's revision: the restored etcd must serve exactly this. */
  revision: number
  /** Live keys at that revision (the verifier's liveKeys). */
  liveKeys?: number
  /** etcd's HashKV at that revision with the snapshot's compact revision (the verifier's hashKV.hash). */
  hashKV?: number
}

export interface DrillOptions {
  tools: EtcdTools
  /** The etcd server binary (see findEtcdBinary). */
  etcdBinary: string
  /** The plaintext snapshot. */
  snapshot: string
  expected: DrillExpectation
  /** Where the temp dir goes (default: the OS temp dir). Give the private dir so a cancelled job's post removes it. */
  workDir?: string
  /** Limit for etcd to start serving; default 2 minutes. */
  bootTimeoutMs?: number
  /** The backup's username and password: with auth enabled in the snapshot, the restored etcd asks for them. */
  credentials?: DrillCredentials
}

export interface DrillReport {
  revision: number
  liveKeys: number
  hashKV: { hash: number; compactRevision: number }
  etcdVersion: string
  /** Milliseconds per phase. */
  durations: { restore: number; boot: number; checks: number; stop: number; total: number }
}

const NAME = 'restore-drill'
const PORT_ATTEMPTS = 3
const GIB = 1024 ** 3

/** Finds the etcd server binary and its version; a missing one says how to provide it or turn the drill off. */
export async function findEtcdBinary(etcd: string): Promise<EtcdTool> {
  const found = await io.which(etcd, false)
  if (!found) {
    throw new ConfigurationError(
      `etcd: '${etcd}' was not found; the restore drill boots a throwaway etcd: install etcd-server (or the etcd release tarball) on the runner, set the etcd input to its path, or set restore-drill: false`
    )
  }
  return { path: found, version: await etcdVersionOf(found) }
}

/** etcd 3.4 refuses to start on arm64 without ETCD_UNSUPPORTED_ARCH; every other ETCD_* is dropped (it would be a flag). */
function passThroughArch(): Record<string, string | undefined> {
  return { ETCD_UNSUPPORTED_ARCH: process.env['ETCD_UNSUPPORTED_ARCH'] }
}

/** Restores, boots, checks, stops and deletes; throws VerificationError when etcd serves something else. */
export async function runRestoreDrill(opts: DrillOptions): Promise<DrillReport> {
  const started = Date.now()
  const dir = await makePrivateDir(opts.workDir ?? os.tmpdir(), 'etcd-drill-')
  const durations = { restore: 0, boot: 0, checks: 0, stop: 0, total: 0 }
  const cleanup = (): void => rmSync(dir, { recursive: true, force: true })
  process.once('exit', cleanup)
  let member: DrillMember | undefined
  try {
    const etcdVersion = await etcdVersionOf(opts.etcdBinary)
    for (let attempt = 1; ; attempt++) {
      const [clientPort, peerPort] = await freePorts(2)
      const peerUrl = `http://127.0.0.1:${peerPort}`
      const dataDir = path.join(dir, `data-${attempt}`)
      let t = Date.now()
      // No bump: the drill checks the snapshot's own revision.
      await restoreSnapshot({
        tools: opts.tools,
        snapshot: opts.snapshot,
        dataDir,
        name: NAME,
        initialCluster: `${NAME}=${peerUrl}`,
        initialAdvertisePeerUrls: peerUrl,
        initialClusterToken: `etcd-snapshot-drill-${randomUUID()}`,
        bumpRevision: 0
      })
      durations.restore += Date.now() - t
      t = Date.now()
      member = startMember(opts.etcdBinary, dir, dataDir, clientPort!, peerUrl, statSync(opts.snapshot).size)
      try {
        await member.waitReady(opts.bootTimeoutMs ?? 120_000)
        durations.boot += Date.now() - t
        break
      } catch (e: unknown) {
        durations.boot += Date.now() - t
        await member.stop()
        member = undefined
        if (!(e instanceof PortTakenError) || attempt >= PORT_ATTEMPTS) throw e
        await fs.rm(dataDir, { recursive: true, force: true })
      }
    }

    let t = Date.now()
    const served = await checkServed(
      { binary: opts.tools.etcdctl.path, endpoint: member.clientUrl, credentials: opts.credentials ?? {} },
      opts.expected
    )
    durations.checks = Date.now() - t
    t = Date.now()
    await member.stop()
    member = undefined
    durations.stop = Date.now() - t
    durations.total = Date.now() - started
    if (served.problems.length) throw new VerificationError(`restore drill failed: ${served.problems.join('; ')}`)
    return { revision: served.revision, liveKeys: served.liveKeys, hashKV: served.hashKV, etcdVersion, durations }
  } finally {
    if (member) await member.stop()
    cleanup()
    process.removeListener('exit', cleanup)
  }
}

async function etcdVersionOf(binary: string): Promise<string> {
  const result = await runTool(binary, ['--version'], { env: passThroughArch(), timeoutMs: 10_000 })
  const version = /etcd Version:\s*(\S+)/.exec(result.stdout)?.[1]
  if (result.code !== 0 || !version)
    throw new ConfigurationError(`etcd: '${binary} --version' printed no etcd version; is it the etcd server?`)
  return version
}

interface Served {
  revision: number
  liveKeys: number
  hashKV: { hash: number; compactRevision: number }
  problems: string[]
}

/** The restored member and how its etcdctl reaches it. */
interface RestoredMember {
  binary: string
  endpoint: string
  credentials: DrillCredentials
}

/** Asks the restored member what it serves; counts and hashes are pinned to the expected revision. */
async function checkServed(etcdctl: RestoredMember, expected: DrillExpectation): Promise<Served> {
  const problems: string[] = []
  const status = await ask(etcdctl, ['endpoint', 'status', '-w', 'json'], 30_000)
  const revision = Number(
    (status as Array<{ Status?: { header?: { revision?: unknown } } }>)[0]?.Status?.header?.revision ?? 0
  )
  if (revision !== expected.revision) {
    problems.push(`the restored etcd serves revision ${revision}, the snapshot has ${expected.revision}`)
    if (revision < expected.revision)
      return { revision, liveKeys: 0, hashKV: { hash: 0, compactRevision: 0 }, problems }
  }
  // etcdctl 3.4 has no --count-only; a one-key range with --limit still reports the full count.
  const range = await ask(
    etcdctl,
    ['get', '', '--from-key', '--keys-only', '--limit=1', `--rev=${expected.revision}`, '-w', 'json'],
    10 * 60_000
  )
  const liveKeys = Number((range as { count?: unknown }).count ?? 0)
  if (expected.liveKeys !== undefined && liveKeys !== expected.liveKeys) {
    problems.push(
      `the restored etcd holds ${liveKeys} live keys at revision ${expected.revision}, the snapshot ${expected.liveKeys}`
    )
  }
  const hashed = await ask(etcdctl, ['endpoint', 'hashkv', `--rev=${expected.revision}`, '-w', 'json'], 30 * 60_000)
  const entry = (hashed as Array<{ HashKV?: { hash?: unknown; compact_revision?: unknown } }>)[0]?.HashKV
  const hashKV = { hash: Number(entry?.hash ?? 0), compactRevision: Number(entry?.compact_revision ?? 0) }
  if (expected.hashKV !== undefined && hashKV.hash !== expected.hashKV) {
    problems.push(
      `HashKV at revision ${expected.revision} is ${hashKV.hash} on the restored etcd but ${expected.hashKV} for the verified snapshot: the data etcd restored differs from what was verified`
    )
  }
  return { revision, liveKeys, hashKV, problems }
}

async function ask(etcdctl: RestoredMember, args: string[], timeoutMs: number): Promise<unknown> {
  const seconds = Math.ceil(timeoutMs / 1000)
  const { username, password } = etcdctl.credentials
  const result = await runTool(
    etcdctl.binary,
    [`--endpoints=${etcdctl.endpoint}`, '--dial-timeout=5s', `--command-timeout=${seconds}s`, ...args],
    {
      // Like every etcdctl call, credentials by environment only.
      env: { ETCDCTL_API: '3', ETCDCTL_USER: username, ETCDCTL_PASSWORD: username ? password : undefined },
      timeoutMs: timeoutMs + 5_000
    }
  )
  if (result.code !== 0) {
    const line =
      result.stderr
        .split('\n')
        .map(l => l.trim())
        .filter(Boolean)
        .at(-1) ?? `exit code ${result.code ?? result.signal}`
    const what = `restore drill: etcdctl ${command(args)} against the restored etcd failed`
    if (!username && /user name is empty/.test(line)) {
      // Authenticated by a client certificate's name, the backup needed no password; the drill's member has no TLS.
      throw new ConfigurationError(
        `${what}: the snapshot has etcd auth enabled, so the restored etcd asks for a user: set the username and password inputs (a user with the root role), or set restore-drill: false`
      )
    }
    throw new EtcdError(`${what}: ${line.replace(/^Error:\s*/, '').slice(0, 300)}`)
  }
  try {
    return parseJsonWithBigIds(result.stdout)
  } catch {
    throw new EtcdError(`restore drill: etcdctl ${command(args)} printed no JSON`)
  }
}

/** The etcdctl command without its flags and arguments: "endpoint status", "get". */
function command(args: string[]): string {
  return args
    .slice(0, 2)
    .filter(a => /^[a-z]+$/.test(a))
    .join(' ')
}

class PortTakenError extends EtcdError {}

interface DrillMember {
  clientUrl: string
  waitReady(timeoutMs: number): Promise<void>
  stop(): Promise<void>
}

/** Starts etcd in its own process group; a process 'exit' hook kills the group if this process ends first. */
function startMember(
  binary: string,
  dir: string,
  dataDir: string,
  clientPort: number,
  peerUrl: string,
  snapshotSize: number
): DrillMember {
  const clientUrl = `http://127.0.0.1:${clientPort}`
  const logFile = path.join(dir, `etcd-${clientPort}.log`)
  const args = [
    `--name=${NAME}`,
    `--data-dir=${dataDir}`,
    `--listen-client-urls=${clientUrl}`,
    `--advertise-client-urls=${clientUrl}`,
    `--listen-peer-urls=${peerUrl}`,
    `--initial-advertise-peer-urls=${peerUrl}`,
    `--initial-cluster=${NAME}=${peerUrl}`,
    '--initial-cluster-state=new',
    // Room for the whole database, so a large snapshot does not boot into a NOSPACE alarm.
    `--quota-backend-bytes=${Math.max(2 * GIB, snapshotSize + GIB)}`,
    '--logger=zap',
    '--log-outputs=stderr'
  ]
  // Every ETCD_* variable is a flag to etcd; none of the runner's reaches the throwaway member (see childEnv).
  const env = childEnv(passThroughArch())
  const log = openSync(logFile, 'a', 0o600)
  let child: ChildProcess
  try {
    child = spawn(binary, args, { env, detached: true, stdio: ['ignore', log, log] })
  } finally {
    closeSync(log)
  }
  let exited = false
  const exit = new Promise<void>(resolve => {
    child.once('exit', () => {
      exited = true
      resolve()
    })
    child.once('error', () => {
      exited = true
      resolve()
    })
  })
  const killGroup = (signal: NodeJS.Signals): void => {
    if (child.pid === undefined || exited) return
    try {
      process.kill(-child.pid, signal)
    } catch {
      // already gone
    }
  }
  const onExit = (): void => killGroup('SIGKILL')
  process.once('exit', onExit)
  const logTail = (): string => {
    try {
      const lines = readFileSync(logFile, 'utf8').trim().split('\n')
      const failure = lines.filter(l => /"level":"(error|fatal|panic)"/.test(l)).at(-1) ?? lines.at(-1) ?? ''
      return describeLogLine(failure) || 'no log'
    } catch {
      return 'no log'
    }
  }

  return {
    clientUrl,
    async waitReady(timeoutMs: number): Promise<void> {
      const deadline = Date.now() + timeoutMs
      while (Date.now() < deadline) {
        if (exited) {
          const tail = readLog(logFile)
          if (/address already in use/.test(tail)) throw new PortTakenError('a drill port was taken')
          throw new EtcdError(`restore drill: etcd exited while starting on the restored data: ${logTail()}`)
        }
        if (await healthy(clientUrl)) return
        await new Promise(r => setTimeout(r, 100))
      }
      throw new EtcdError(
        `restore drill: etcd did not serve within ${Math.round(timeoutMs / 1000)} s on the restored data: ${logTail()}`
      )
    },
    async stop(): Promise<void> {
      killGroup('SIGTERM')
      const timer = setTimeout(() => killGroup('SIGKILL'), 10_000)
      await exit
      clearTimeout(timer)
      process.removeListener('exit', onExit)
    }
  }
}

function readLog(file: string): string {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    return ''
  }
}

/** The message of one zap JSON log line (or the line itself). */
function describeLogLine(line: string): string {
  try {
    const entry = JSON.parse(line) as { msg?: string; error?: string }
    return [entry.msg, entry.error].filter(Boolean).join(': ').slice(0, 300)
  } catch {
    return line.trim().slice(0, 300)
  }
}

/** etcd's /health: true once it has a leader and serves reads. */
async function healthy(clientUrl: string): Promise<boolean> {
  try {
    const res = await fetch(`${clientUrl}/health`, { signal: AbortSignal.timeout(2_000) })
    const body = (await res.json()) as { health?: string }
    return res.ok && body.health === 'true'
  } catch {
    return false
  }
}
