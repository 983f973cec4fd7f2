import { EtcdError } from '../errors.js'
import { parseJsonWithBigIds } from './json.js'
import { runTool, type ToolResult } from './process.js'
import { diagnoseTls, NOT_GRPC } from './tls-probe.js'

/** How to reach etcd: TLS files on disk (0600, or the user's own) and auth. Never put on argv. */
export interface EtcdAccess {
  cacertFile?: string
  certFile?: string
  keyFile?: string
  username?: string
  password?: string
}

/** What `endpoint status` says about one member. Ids are hex strings, as etcd prints them. */
export interface MemberStatus {
  endpoint: string
  clusterId: string
  memberId: string
  leaderId: string
  isLearner: boolean
  /** Alarms raised on this member (NOSPACE, CORRUPT), from the status errors field. */
  alarms: string[]
  version: string
  revision: number
  raftIndex: number
  raftAppliedIndex: number
  raftTerm: number
  dbSize: number
}

/** A short timeout for status calls: a member that cannot answer a status in this time is not a good source. */
const STATUS_TIMEOUT_MS = 10_000
/** etcdctl's --dial-timeout. */
const DIAL_TIMEOUT_MS = 5_000

/** etcdctl, with credentials passed through ETCDCTL_* variables so they never show in a process listing. */
export class Etcdctl {
  constructor(
    readonly binary: string,
    private readonly access: EtcdAccess
  ) {}

  /** `etcdctl version` → "3.4.23". */
  async version(): Promise<string> {
    const result = await this.run(undefined, ['version'], STATUS_TIMEOUT_MS)
    const match = /etcdctl version:\s*(\S+)/.exec(result.stdout)
    if (result.code !== 0 || !match) {
      throw new EtcdError(`${this.binary} version failed: ${firstLine(result.stderr || result.stdout)}`)
    }
    return match[1] as string
  }

  async endpointStatus(endpoint: string): Promise<MemberStatus> {
    const result = await this.run(endpoint, ['endpoint', 'status', '-w', 'json'], STATUS_TIMEOUT_MS)
    if (result.code !== 0) {
      const hint = explainFailure(result)
      // etcdctl hides most TLS failures behind a timeout; our own handshake tells them apart.
      const precise = hint.startsWith('no answer in time') ? await diagnoseTls(endpoint, this.access) : undefined
      throw new EtcdError(precise ?? hint)
    }
    return parseEndpointStatus(endpoint, result.stdout)
  }

  /**
   * `endpoint hashkv --rev` on one member: etcd's MVCC hash of the keyspace at that revision. etcd reads the whole key
   * bucket to answer, which takes seconds per GB, so this gets the snapshot's own `timeoutMs`, not a status timeout.
   */
  async hashKV(
    endpoint: string,
    revision: number,
    timeoutMs: number
  ): Promise<{ hash: number; compactRevision: number; revision: number }> {
    const started = Date.now()
    const result = await this.run(
      endpoint,
      ['endpoint', 'hashkv', `--rev=${revision}`, '-w', 'json'],
      timeoutMs + DIAL_TIMEOUT_MS,
      timeoutMs
    )
    if (result.code !== 0) {
      const hint = explainFailure(result)
      // A deadline before timeoutMs is the dial's: the member is unreachable, not slow.
      if (!hint.startsWith('no answer in time') || Date.now() - started < timeoutMs) throw new EtcdError(hint)
      throw new EtcdError(
        `no answer within the timeout of ${Math.ceil(timeoutMs / 1000)}s; etcd hashes the whole keyspace to answer: raise 'timeout' for a big one, or check the member's load`
      )
    }
    const parsed = parseJsonWithBigIds(result.stdout) as Array<{
      HashKV?: { hash?: number; compact_revision?: number; header?: { revision?: number } }
    }>
    const entry = parsed[0]?.HashKV
    if (!entry) throw new EtcdError(`unexpected endpoint hashkv output from ${endpoint}`)
    return {
      hash: Number(entry.hash ?? 0),
      compactRevision: Number(entry.compact_revision ?? 0),
      revision: Number(entry.header?.revision ?? 0)
    }
  }

  private async run(
    endpoint: string | undefined,
    args: string[],
    timeoutMs: number,
    commandTimeoutMs = 5_000
  ): Promise<ToolResult> {
    // Credentials travel by environment only. Endpoint and timeouts go on argv: they are not secret, and etcdctl 3.4
    // ignores ETCDCTL_DIAL_TIMEOUT/ETCDCTL_COMMAND_TIMEOUT (and refuses a flag that is also set by environment).
    const flags = [
      ...(endpoint ? [`--endpoints=${endpoint}`] : []),
      `--dial-timeout=${DIAL_TIMEOUT_MS / 1000}s`,
      `--command-timeout=${Math.ceil(commandTimeoutMs / 1000)}s`
    ]
    const env: Record<string, string | undefined> = {
      ETCDCTL_API: '3',
      ETCDCTL_CACERT: this.access.cacertFile,
      ETCDCTL_CERT: this.access.certFile,
      ETCDCTL_KEY: this.access.keyFile,
      ETCDCTL_USER: this.access.username,
      ETCDCTL_PASSWORD: this.access.password
    }
    args = [...flags, ...args]
    try {
      // Only our ETCDCTL_* reach it (see childEnv): one the runner happens to have would change what we talk to.
      return await runTool(this.binary, args, { env, timeoutMs })
    } catch (e: unknown) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new EtcdError(`${this.binary} could not be run (not found); install etcdctl or set the 'etcdctl' input`)
      }
      throw e
    }
  }
}

export const MEMBER_WENT_AWAY =
  'the member closed the connection during the transfer (etcd stopped, restarted or was killed); retry, or check the member'

/** Turns an etcdctl failure into one line a platform engineer can act on. */
export function explainFailure(result: ToolResult): string {
  const text = `${result.stderr}\n${result.stdout}`
  const hint = explainEtcdMessage(text)
  if (hint) return hint
  if (result.timedOut) return 'no answer in time'
  const last = lastErrorLine(text)
  return last || `exit code ${result.code ?? result.signal}`
}

/** What etcd's or grpc's words for a failure mean for the user, or undefined when they match nothing known. */
export function explainEtcdMessage(text: string): string | undefined {
  const hints: Array<[RegExp, string]> = [
    [/certificate signed by unknown authority/i, "the server's certificate is not signed by cacert (wrong CA?)"],
    [
      /certificate is valid for|doesn't contain any IP SANs|not valid for any names/i,
      "the server's certificate does not name this endpoint's host"
    ],
    [
      /bad certificate|certificate required|unknown certificate authority/i,
      'the server rejected the client certificate (cert/key not signed by the etcd CA?)'
    ],
    // With TLS 1.3 the server's rejection of a client certificate reaches grpc only as a dropped connection.
    [
      /failed to write client preface|connection reset by peer|broken pipe/i,
      'the server dropped the TLS connection: it rejected the client certificate (cert/key not signed by the etcd CA, or none given)'
    ],
    [/authentication failed|invalid user ID or password/i, 'authentication failed: wrong username or password'],
    [/user name is empty|user name not found/i, 'etcd auth is enabled: set username and password'],
    [/permission denied/i, 'permission denied: the etcd user needs the root role to take snapshots'],
    // grpc's words for a member that went away mid-stream (killed, restarted, or its connection cut).
    [/transport is closing|error reading from server: EOF|unexpected EOF/i, MEMBER_WENT_AWAY],
    [/connection refused/i, 'connection refused: nothing listens there, or etcd is down'],
    [/no such host/i, 'the host name does not resolve'],
    [
      /first record does not look like a TLS handshake/i,
      'the endpoint speaks plain HTTP: use http:// or enable TLS on etcd'
    ],
    // grpc-go 1.67+ (etcdctl 3.5.x/3.6.x builds) refuses a TLS server that does not pick HTTP/2 by ALPN, which etcd
    // always does: the handshake itself succeeded, so this is not a credentials problem.
    [/missing selected ALPN property/i, NOT_GRPC],
    [/transport: authentication handshake failed|tls:/i, 'the TLS handshake failed (check cacert, cert and key)'],
    [/context deadline exceeded|DeadlineExceeded/i, 'no answer in time (unreachable, or blocked by a firewall)']
  ]
  return hints.find(([pattern]) => pattern.test(text))?.[1]
}

function lastErrorLine(text: string): string {
  const lines = text
    .split('\n')
    .map(l => l.trim())
    .filter(Boolean)
  const errorLine = [...lines].reverse().find(l => /^Error:/i.test(l)) ?? lines.at(-1) ?? ''
  return errorLine.replace(/^Error:\s*/i, '').slice(0, 300)
}

function firstLine(text: string): string {
  return (text.split('\n').find(l => l.trim()) ?? '').trim().slice(0, 300)
}

function hexId(value: unknown): string {
  if (value === undefined || value === null) return ''
  return BigInt(String(value)).toString(16)
}

interface RawEndpointStatus {
  Endpoint?: string
  Status?: {
    header?: { cluster_id?: string; member_id?: string; revision?: string; raft_term?: string }
    version?: string
    dbSize?: string
    leader?: string
    raftIndex?: string
    raftTerm?: string
    raftAppliedIndex?: string
    isLearner?: boolean
    errors?: string[]
  }
}

export function parseEndpointStatus(endpoint: string, stdout: string): MemberStatus {
  let raw: RawEndpointStatus | undefined
  try {
    raw = (parseJsonWithBigIds(stdout) as RawEndpointStatus[])[0]
  } catch {
    raw = undefined
  }
  const s = raw?.Status
  if (!s?.header) throw new EtcdError(`${endpoint}: unexpected 'endpoint status' output`)
  return {
    endpoint,
    clusterId: hexId(s.header.cluster_id),
    memberId: hexId(s.header.member_id),
    leaderId: hexId(s.leader),
    isLearner: s.isLearner === true,
    alarms: s.errors ?? [],
    version: s.version ?? 'unknown',
    revision: Number(s.header.revision ?? 0),
    raftIndex: Number(s.raftIndex ?? 0),
    raftAppliedIndex: Number(s.raftAppliedIndex ?? s.raftIndex ?? 0),
    raftTerm: Number(s.raftTerm ?? 0),
    dbSize: Number(s.dbSize ?? 0)
  }
}
