/**
 * Fast data loading into a test etcd, plus Kubernetes-shaped data generation. Bulk puts go as batched KV.Txn calls
 * over gRPC (node:http2, hand-encoded protobuf) or, on request, the JSON gateway; everything else (range, delete,
 * compaction, leases, auth) uses etcd 3.4's grpc-gateway JSON API (POST /v3/...) over the member's keep-alive agent.
 * Both present the CN-less gateway client cert. (`etcdctl put` in a loop manages ~80 keys/s; this does thousands.)
 *
 * Gateway notes (3.4): request fields may be snake_case or camelCase, responses use snake_case with int64 as decimal
 * strings and omit zero values; bytes are base64. With auth enabled, send `Authorization: <token>` from
 * /v3/auth/authenticate — without one the gateway's own loopback connection (server cert CN) is what etcd sees.
 */
import http2 from 'node:http2'
import type { EtcdMember } from './etcd.js'
import { memberRequest } from './etcd.js'

// ---------------------------------------------------------------------------------------------------------------
// Gateway client

export class GatewayError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly grpcCode: number | undefined
  ) {
    super(message)
  }
}

interface Credentials {
  user: string
  password: string
  token?: string
}
const credentials = new WeakMap<EtcdMember, Credentials>()

/** Make gateway calls to this member authenticate as `user` (or, with undefined, stop authenticating). */
export function useCredentials(member: EtcdMember, user: string | undefined, password?: string): void {
  if (user === undefined) credentials.delete(member)
  else credentials.set(member, { user, password: password ?? '' })
}

/** Get a simple token for user/password. */
export async function authenticate(member: EtcdMember, user: string, password: string): Promise<string> {
  const res = await gateway<{ token?: string }>(member, '/v3/auth/authenticate', { name: user, password }, false)
  if (!res.token) throw new Error(`no token from /v3/auth/authenticate for ${user}`)
  return res.token
}

/**
 * POST one gateway call and parse the JSON answer; throws GatewayError on a non-200 (etcd's message included).
 * Uses the member's credentials (see useCredentials/enableAuth) unless `withAuth` is false.
 */
export async function gateway<T>(member: EtcdMember, path: string, body: unknown, withAuth = true): Promise<T> {
  const creds = withAuth ? credentials.get(member) : undefined
  for (let attempt = 0; ; attempt++) {
    const headers: Record<string, string> = {}
    if (creds) {
      creds.token ??= await authenticate(member, creds.user, creds.password)
      headers.authorization = creds.token
    }
    const res = await memberRequest(member, 'POST', path, JSON.stringify(body), headers, 120_000)
    if (res.status === 200) return JSON.parse(res.body) as T
    let message = res.body.trim()
    let code: number | undefined
    try {
      const parsed = JSON.parse(res.body) as { error?: string; message?: string; code?: number }
      message = parsed.message ?? parsed.error ?? message
      code = parsed.code
    } catch {
      // not JSON (e.g. "Not Found" for an unknown path)
    }
    if (creds && attempt === 0 && /invalid auth token/.test(message)) {
      creds.token = undefined
      continue
    }
    throw new GatewayError(`${path} on ${member.clientUrl}: HTTP ${res.status}: ${message}`, res.status, code)
  }
}

const b64 = (v: string | Buffer): string => (typeof v === 'string' ? Buffer.from(v) : v).toString('base64')

interface Header {
  revision?: string
}

// ---------------------------------------------------------------------------------------------------------------
// KV

/** etcd's defaults: --max-txn-ops 128, --max-request-bytes 1.5 MiB (we stay well under, JSON/gRPC overhead aside). */
const MAX_TXN_OPS = 128
const MAX_TXN_BYTES = 1024 * 1024

export interface PutManyOptions {
  /** Lease ID (decimal string as returned by grantLease) to attach to every key. */
  lease?: string
  /** Requests in flight at once (default 4). */
  concurrency?: number
  /**
   * 'grpc' (default): KV.Txn over HTTP/2 with hand-encoded protobuf, 3-5x cheaper for etcd than the gateway, whose
   * jsonpb decoding takes ~80% of etcd's CPU on bulk puts. 'gateway': POST /v3/kv/txn JSON.
   */
  via?: 'grpc' | 'gateway'
}

export interface PutResult {
  keys: number
  /** Sum of value lengths. */
  bytes: number
  /** Highest revision seen in the responses (= the store revision after the last put). */
  revision: number
}

type Entry = readonly [string, Buffer | string]
type Batch = [Buffer, Buffer][]

/**
 * Put entries with batched txns (≤128 ops, ≤1 MiB each), `concurrency` in flight. Accepts any iterable, so a
 * generator can stream millions of entries without holding them all. Batches are not atomic as a whole.
 */
export async function putMany(
  member: EtcdMember,
  entries: Iterable<Entry>,
  opts: PutManyOptions = {}
): Promise<PutResult> {
  const result: PutResult = { keys: 0, bytes: 0, revision: 0 }
  async function* batches(): AsyncGenerator<Batch> {
    let batch: Batch = []
    let size = 0
    for (const [k, v] of entries) {
      const key = Buffer.from(k)
      const value = typeof v === 'string' ? Buffer.from(v) : v
      if (batch.length > 0 && (batch.length >= MAX_TXN_OPS || size + key.length + value.length > MAX_TXN_BYTES)) {
        yield batch
        batch = []
        size = 0
      }
      batch.push([key, value])
      size += key.length + value.length
      result.keys++
      result.bytes += value.length
    }
    if (batch.length > 0) yield batch
  }
  const source = batches()
  const grpc = opts.via === 'gateway' ? undefined : await GrpcSession.open(member)
  try {
    const send = async (batch: Batch): Promise<number> => {
      if (grpc) return grpc.txnPut(batch, opts.lease)
      const ops = batch.map(([key, value]) => ({
        request_put: { key: b64(key), value: b64(value), ...(opts.lease ? { lease: opts.lease } : {}) }
      }))
      const res = await gateway<{ header?: Header }>(member, '/v3/kv/txn', { success: ops })
      return Number(res.header?.revision ?? 0)
    }
    // Workers pull from one shared generator; async generators queue next() calls, so each batch goes out once.
    const worker = async (): Promise<void> => {
      for (let next = await source.next(); !next.done; next = await source.next()) {
        result.revision = Math.max(result.revision, await send(next.value))
      }
    }
    await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 4) }, worker))
  } finally {
    grpc?.close()
  }
  return result
}

// ---------------------------------------------------------------------------------------------------------------
// Minimal gRPC client for KV.Txn puts (protobuf per etcd's rpc.proto: TxnRequest.success=2, RequestOp.request_put=2,
// PutRequest key=1 value=2 lease=3; TxnResponse.header=1, ResponseHeader.revision=3).

function varint64(n: bigint): Buffer {
  const out: number[] = []
  while (n > 0x7fn) {
    out.push(Number(n & 0x7fn) | 0x80)
    n >>= 7n
  }
  out.push(Number(n))
  return Buffer.from(out)
}

function encodeTxnPut(batch: Batch, lease: string | undefined): Buffer {
  const leaseField = lease ? Buffer.concat([Buffer.from([0x18]), varint64(BigInt(lease))]) : undefined
  const parts: Buffer[] = []
  for (const [key, value] of batch) {
    const put = Buffer.concat([field(1, key), field(2, value), ...(leaseField ? [leaseField] : [])])
    parts.push(field(2, field(2, put)))
  }
  return Buffer.concat(parts)
}

/** Value of the first varint field `tag` in a protobuf message, or of a nested path of length-delimited fields. */
function readVarintPath(msg: Buffer, path: number[]): number {
  let buf = msg
  for (let depth = 0; depth < path.length; depth++) {
    let i = 0
    let found = false
    while (i < buf.length) {
      let key = 0
      let shift = 0
      for (let b = 0x80; b & 0x80; shift += 7) {
        b = buf[i++]!
        key += (b & 0x7f) * 2 ** shift
      }
      const tag = Math.floor(key / 8)
      const wire = key % 8
      let value = 0
      if (wire === 0 || wire === 2) {
        shift = 0
        for (let b = 0x80; b & 0x80; shift += 7) {
          b = buf[i++]!
          value += (b & 0x7f) * 2 ** shift
        }
      } else if (wire === 1) {
        i += 8
        continue
      } else if (wire === 5) {
        i += 4
        continue
      } else {
        throw new Error(`unexpected protobuf wire type ${wire}`)
      }
      if (wire === 2) {
        if (tag === path[depth] && depth < path.length - 1) {
          buf = buf.subarray(i, i + value)
          found = true
          break
        }
        i += value
      } else if (tag === path[depth] && depth === path.length - 1) {
        return value
      }
    }
    if (!found) return 0
  }
  return 0
}

class GrpcSession {
  private constructor(
    private readonly member: EtcdMember,
    private readonly session: http2.ClientHttp2Session
  ) {}

  static async open(member: EtcdMember): Promise<GrpcSession> {
    const pki = member.pki
    const session = http2.connect(
      member.clientUrl,
      pki
        ? {
            ca: pki.pem('caCert'),
            cert: pki.pem('gatewayClientCert'),
            key: pki.pem('gatewayClientKey'),
            servername: 'localhost'
          }
        : {}
    )
    await new Promise<void>((resolve, reject) => {
      session.once('connect', () => resolve())
      session.once('error', reject)
    })
    session.on('error', () => undefined) // surfaced per stream
    return new GrpcSession(member, session)
  }

  close(): void {
    this.session.close()
  }

  /** One KV.Txn of puts; resolves with the revision. Retries once with a fresh token if etcd says it is invalid. */
  async txnPut(batch: Batch, lease: string | undefined): Promise<number> {
    const message = encodeTxnPut(batch, lease)
    const creds = credentials.get(this.member)
    for (let attempt = 0; ; attempt++) {
      if (creds) creds.token ??= await authenticate(this.member, creds.user, creds.password)
      try {
        const reply = await this.unary('/etcdserverpb.KV/Txn', message, creds?.token)
        return readVarintPath(reply, [1, 3])
      } catch (e: unknown) {
        if (creds && attempt === 0 && e instanceof GatewayError && /invalid auth token/.test(e.message)) {
          creds.token = undefined
          continue
        }
        throw e
      }
    }
  }

  private unary(path: string, message: Buffer, token: string | undefined): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const headers: http2.OutgoingHttpHeaders = {
        ':method': 'POST',
        ':path': path,
        'content-type': 'application/grpc',
        te: 'trailers'
      }
      if (token) headers.token = token
      const stream = this.session.request(headers)
      const chunks: Buffer[] = []
      let status: string | undefined
      let detail = ''
      const note = (h: http2.IncomingHttpHeaders): void => {
        if (h['grpc-status'] !== undefined) {
          status = String(h['grpc-status'])
          detail = decodeURIComponent(String(h['grpc-message'] ?? ''))
        }
      }
      stream.on('response', note)
      stream.on('trailers', note)
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.on('error', reject)
      stream.on('close', () => {
        if (status !== '0') {
          const code = status === undefined ? undefined : Number(status)
          reject(new GatewayError(`${path} on ${this.member.clientUrl}: gRPC status ${status}: ${detail}`, 0, code))
          return
        }
        const body = Buffer.concat(chunks)
        if (body.length < 5 || body[0] !== 0) {
          reject(new Error(`${path}: unexpected gRPC response framing`))
          return
        }
        resolve(body.subarray(5, 5 + body.readUInt32BE(1)))
      })
      const frame = Buffer.alloc(5)
      frame.writeUInt32BE(message.length, 1)
      stream.end(Buffer.concat([frame, message]))
    })
  }
}

/** Delete these exact keys (batched txns). Returns the number deleted and the revision after. */
export async function deleteKeys(
  member: EtcdMember,
  keys: Iterable<string>
): Promise<{ deleted: number; revision: number }> {
  let deleted = 0
  const result = { revision: 0 }
  async function* batches(): AsyncGenerator<unknown[]> {
    let ops: unknown[] = []
    for (const key of keys) {
      ops.push({ request_delete_range: { key: b64(key) } })
      if (ops.length >= MAX_TXN_OPS) {
        yield ops
        ops = []
      }
    }
    if (ops.length > 0) yield ops
  }
  const worker = async (gen: AsyncGenerator<unknown[]>): Promise<void> => {
    for (;;) {
      const next = await gen.next()
      if (next.done) return
      const res = await gateway<{ header?: Header; responses?: { response_delete_range?: { deleted?: string } }[] }>(
        member,
        '/v3/kv/txn',
        { success: next.value }
      )
      result.revision = Math.max(result.revision, Number(res.header?.revision ?? 0))
      for (const r of res.responses ?? []) deleted += Number(r.response_delete_range?.deleted ?? 0)
    }
  }
  const gen = batches()
  await Promise.all([worker(gen), worker(gen), worker(gen), worker(gen)])
  return { deleted, revision: result.revision }
}

/** First key after every key starting with `prefix` (etcd's range_end for a prefix). */
export function prefixEnd(prefix: string | Buffer): Buffer {
  const end = Buffer.from(prefix)
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]!++
      return end.subarray(0, i + 1)
    }
  }
  return Buffer.from([0]) // all keys
}

/** Delete every key under a prefix ('' = everything). */
export async function deletePrefix(member: EtcdMember, prefix: string): Promise<{ deleted: number; revision: number }> {
  const key = prefix === '' ? Buffer.from([0]) : Buffer.from(prefix)
  const res = await gateway<{ header?: Header; deleted?: string }>(member, '/v3/kv/deleterange', {
    key: b64(key),
    range_end: b64(prefixEnd(prefix))
  })
  return { deleted: Number(res.deleted ?? 0), revision: Number(res.header?.revision ?? 0) }
}

/** Compact the keyspace at `revision` (physical: wait until the backend has removed the old revisions). */
export async function compact(member: EtcdMember, revision: number, physical = false): Promise<void> {
  await gateway(member, '/v3/kv/compaction', { revision: String(revision), physical })
}

/** Grant a lease; returns its ID as a decimal string (pass to putMany's `lease`). */
export async function grantLease(member: EtcdMember, ttlSeconds: number): Promise<{ id: string; ttl: number }> {
  const res = await gateway<{ ID?: string; TTL?: string }>(member, '/v3/lease/grant', { TTL: String(ttlSeconds) })
  if (!res.ID) throw new Error('lease grant returned no ID')
  return { id: res.ID, ttl: Number(res.TTL ?? ttlSeconds) }
}

/** Put one key, optionally with a lease. */
export async function put(member: EtcdMember, key: string, value: Buffer | string, lease?: string): Promise<number> {
  const body: Record<string, string> = { key: b64(key), value: b64(value) }
  if (lease) body.lease = lease
  const res = await gateway<{ header?: Header }>(member, '/v3/kv/put', body)
  return Number(res.header?.revision ?? 0)
}

export interface ReadOptions {
  /** Only keys starting with this (default: every key). */
  prefix?: string
  /** Read at this revision (must not be compacted). */
  revision?: number
  /** Keys per range request (default 1000). */
  pageSize?: number
}

interface RangeResponse {
  header?: Header
  kvs?: { key: string; value?: string }[]
  more?: boolean
  count?: string
}

/** Every key/value (or those under a prefix), paged with `limit`, at one revision for a consistent view. */
export async function readAll(member: EtcdMember, opts: ReadOptions = {}): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>()
  const end = opts.prefix ? prefixEnd(opts.prefix) : Buffer.from([0])
  let start = opts.prefix ? Buffer.from(opts.prefix) : Buffer.from([0])
  let revision = opts.revision ?? 0
  const limit = opts.pageSize ?? 1000
  for (;;) {
    const body: Record<string, unknown> = { key: b64(start), range_end: b64(end), limit: String(limit) }
    if (revision) body.revision = String(revision)
    const res = await gateway<RangeResponse>(member, '/v3/kv/range', body)
    // Pin later pages to the first page's revision so concurrent writes cannot tear the view.
    if (!revision) revision = Number(res.header?.revision ?? 0)
    const kvs = res.kvs ?? []
    for (const kv of kvs) out.set(Buffer.from(kv.key, 'base64').toString('utf8'), Buffer.from(kv.value ?? '', 'base64'))
    if (!res.more || kvs.length === 0) return out
    start = Buffer.concat([Buffer.from(kvs[kvs.length - 1]!.key, 'base64'), Buffer.from([0])])
  }
}

/** Number of keys (under a prefix, or all) without fetching them. */
export async function countKeys(member: EtcdMember, prefix = ''): Promise<number> {
  const key = prefix === '' ? Buffer.from([0]) : Buffer.from(prefix)
  const res = await gateway<RangeResponse>(member, '/v3/kv/range', {
    key: b64(key),
    range_end: b64(prefixEnd(prefix)),
    count_only: true
  })
  return Number(res.count ?? 0)
}

/** Current store revision. */
export async function currentRevision(member: EtcdMember): Promise<number> {
  const res = await gateway<RangeResponse>(member, '/v3/kv/range', { key: b64('\0'), count_only: true })
  return Number(res.header?.revision ?? 0)
}

// ---------------------------------------------------------------------------------------------------------------
// Auth

export type Permission = 'READ' | 'WRITE' | 'READWRITE'

export async function addUser(member: EtcdMember, name: string, password: string, roles: string[] = []): Promise<void> {
  await gateway(member, '/v3/auth/user/add', { name, password })
  for (const role of roles) await gateway(member, '/v3/auth/user/grant', { user: name, role })
}

/** Add a role, optionally with one permission on a key prefix. */
export async function addRole(
  member: EtcdMember,
  name: string,
  perm?: { prefix: string; type: Permission }
): Promise<void> {
  await gateway(member, '/v3/auth/role/add', { name })
  if (perm) {
    await gateway(member, '/v3/auth/role/grant', {
      name,
      perm: { permType: perm.type, key: b64(perm.prefix || '\0'), range_end: b64(prefixEnd(perm.prefix)) }
    })
  }
}

/**
 * Create user root (role root) with this password and enable auth. Later gateway calls from these helpers
 * authenticate as root automatically; etcdctl needs `{ ETCDCTL_USER: 'root', ETCDCTL_PASSWORD: pw }` in extraEnv.
 * Note: with client-cert auth, an etcdctl call without a user is authenticated as the client cert's CN.
 */
export async function enableAuth(member: EtcdMember, rootPassword: string): Promise<void> {
  await gateway(member, '/v3/auth/role/add', { name: 'root' })
  await addUser(member, 'root', rootPassword, ['root'])
  await gateway(member, '/v3/auth/enable', {})
  useCredentials(member, 'root', rootPassword)
}

export async function disableAuth(member: EtcdMember): Promise<void> {
  await gateway(member, '/v3/auth/disable', {})
}

// ---------------------------------------------------------------------------------------------------------------
// Kubernetes-shaped data

export type ValueSize = number | { min: number; max: number }

export interface KubernetesDataOptions {
  /** Total keys to generate (namespaces and cluster-scoped objects included). */
  objects: number
  /** Namespaces (default 8); always includes default, kube-system, kube-public, kube-node-lease. */
  namespaces?: number
  /** PRNG seed (default 1). Same options → byte-identical keys and values. */
  seed?: number
  /** Fixed size or range for every value instead of realistic per-resource sizes. */
  valueSize?: ValueSize
  /** Store secrets as `k8s:enc:aescbc:v1:key1:` + random bytes, like an EncryptionConfiguration would. */
  encryptSecrets?: boolean
  /** Fill the remaining budget only with these namespaced resources (default: a realistic mix). */
  resources?: NamespacedResource[]
}

export interface SeedResult {
  keys: number
  /** Sum of value lengths. */
  bytes: number
  /** Store revision after the last write. */
  revision: number
  /** Keys per resource (the path segment(s) after /registry/, e.g. "pods", "services/specs"). */
  byResource: Record<string, number>
  /** Namespace names, in creation order. */
  namespaces: string[]
}

/** The k8s protobuf envelope magic every stored (unencrypted) object starts with. */
export const K8S_PROTOBUF_MAGIC = Buffer.from('k8s\x00', 'latin1')
export const AESCBC_PREFIX = 'k8s:enc:aescbc:v1:key1:'

export type NamespacedResource =
  | 'pods'
  | 'configmaps'
  | 'secrets'
  | 'services/specs'
  | 'services/endpoints'
  | 'serviceaccounts'
  | 'deployments'
  | 'replicasets'
  | 'events'
  | 'leases'
  | 'rolebindings'

interface Kind {
  apiVersion: string
  kind: string
  /** Value size range in bytes; log-uniform when `skewed`. */
  min: number
  max: number
  skewed?: boolean
}

const KINDS: Record<string, Kind> = {
  namespaces: { apiVersion: 'v1', kind: 'Namespace', min: 300, max: 500 },
  pods: { apiVersion: 'v1', kind: 'Pod', min: 2000, max: 8000 },
  configmaps: { apiVersion: 'v1', kind: 'ConfigMap', min: 500, max: 50_000, skewed: true },
  secrets: { apiVersion: 'v1', kind: 'Secret', min: 1000, max: 4000 },
  'services/specs': { apiVersion: 'v1', kind: 'Service', min: 800, max: 2000 },
  'services/endpoints': { apiVersion: 'v1', kind: 'Endpoints', min: 400, max: 3000 },
  serviceaccounts: { apiVersion: 'v1', kind: 'ServiceAccount', min: 300, max: 600 },
  deployments: { apiVersion: 'apps/v1', kind: 'Deployment', min: 3000, max: 8000 },
  replicasets: { apiVersion: 'apps/v1', kind: 'ReplicaSet', min: 2000, max: 6000 },
  events: { apiVersion: 'v1', kind: 'Event', min: 700, max: 1400 },
  leases: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', min: 250, max: 450 },
  rolebindings: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', min: 500, max: 1000 },
  minions: { apiVersion: 'v1', kind: 'Node', min: 4000, max: 12_000 },
  clusterroles: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', min: 500, max: 4000 },
  clusterrolebindings: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', min: 400, max: 900 },
  'apiregistration.k8s.io/apiservices': {
    apiVersion: 'apiregistration.k8s.io/v1',
    kind: 'APIService',
    min: 600,
    max: 1000
  },
  priorityclasses: { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', min: 250, max: 400 },
  ranges: { apiVersion: 'v1', kind: 'RangeAllocation', min: 200, max: 800 }
}

/** Relative frequency of namespaced objects in the bulk of a cluster. */
const MIX: [NamespacedResource, number][] = [
  ['pods', 24],
  ['events', 16],
  ['configmaps', 10],
  ['secrets', 12],
  ['replicasets', 10],
  ['serviceaccounts', 6],
  ['services/specs', 5],
  ['services/endpoints', 5],
  ['deployments', 6],
  ['rolebindings', 4],
  ['leases', 2]
]

const NODES = ['control-plane-1', 'control-plane-2', 'control-plane-3', 'worker-1', 'worker-2', 'worker-3']
const CLUSTER_SCOPED: [string, string[]][] = [
  [
    'clusterroles',
    [
      'admin',
      'cluster-admin',
      'edit',
      'view',
      'system:basic-user',
      'system:discovery',
      'system:node',
      'system:kube-scheduler',
      'system:kube-controller-manager',
      'system:controller:replicaset-controller'
    ]
  ],
  [
    'clusterrolebindings',
    [
      'cluster-admin',
      'kubeadm:get-nodes',
      'system:basic-user',
      'system:discovery',
      'system:kube-scheduler',
      'system:kube-controller-manager'
    ]
  ],
  [
    'apiregistration.k8s.io/apiservices',
    [
      'v1.',
      'v1.apps',
      'v1.batch',
      'v1.rbac.authorization.k8s.io',
      'v1.coordination.k8s.io',
      'v1.storage.k8s.io',
      'v1.networking.k8s.io',
      'v1beta1.metrics.k8s.io'
    ]
  ],
  ['priorityclasses', ['system-cluster-critical', 'system-node-critical']],
  ['ranges', ['serviceips', 'servicenodeports']],
  ['minions', NODES]
]
const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease']
const APP_WORDS = [
  'web',
  'api',
  'worker',
  'cache',
  'db',
  'auth',
  'billing',
  'search',
  'ingest',
  'metrics',
  'frontend',
  'backend',
  'gateway',
  'scheduler',
  'notifier',
  'reports',
  'payments',
  'catalog',
  'orders',
  'users'
]
const NS_WORDS = ['team', 'prod', 'staging', 'dev', 'platform', 'data', 'ml', 'ops', 'edge', 'shop']

// Strings that fill real objects (managedFields, container specs, status); the filler is built from these so
// values compress like real etcd data rather than like noise or like zeros.
const VOCAB = [
  'metadata',
  'managedFields',
  'FieldsV1',
  'f:metadata',
  'f:labels',
  'f:annotations',
  'f:spec',
  'f:status',
  'f:containers',
  'k:{"name":"',
  'f:image',
  'f:imagePullPolicy',
  'IfNotPresent',
  'Always',
  'terminationMessagePath',
  '/dev/termination-log',
  'terminationMessagePolicy',
  'File',
  'ClusterFirst',
  'default-scheduler',
  'RollingUpdate',
  'registry.k8s.io/',
  'docker.io/library/nginx:1.25.3',
  'ghcr.io/acme/',
  'Running',
  'Ready',
  'True',
  'False',
  'ContainersReady',
  'PodScheduled',
  'Initialized',
  'kube-api-access-',
  '/var/run/secrets/kubernetes.io/serviceaccount',
  'ca.crt',
  'namespace',
  'token',
  'node.kubernetes.io/not-ready',
  'node.kubernetes.io/unreachable',
  'NoExecute',
  'Exists',
  'TCP',
  'http',
  'containerPort',
  'resources',
  'requests',
  'limits',
  'cpu',
  'memory',
  '100m',
  '250m',
  '128Mi',
  '512Mi',
  'kube-controller-manager',
  'kubelet',
  'Update',
  'Apply',
  'v1',
  'apps/v1',
  'app.kubernetes.io/name',
  'app.kubernetes.io/instance',
  'app.kubernetes.io/version',
  'app.kubernetes.io/managed-by',
  'Helm',
  'pod-template-hash',
  'kubernetes.io/hostname',
  'topology.kubernetes.io/zone',
  'livenessProbe',
  'readinessProbe',
  'httpGet',
  '/healthz',
  '/readyz',
  'periodSeconds',
  'successThreshold',
  'failureThreshold',
  'timeoutSeconds',
  'env',
  'valueFrom',
  'configMapKeyRef',
  'secretKeyRef',
  'volumeMounts',
  'mountPath',
  'readOnly',
  'projected',
  'serviceAccountToken',
  'expirationSeconds',
  'downwardAPI',
  'fieldRef',
  'fieldPath',
  'restartPolicy',
  'dnsPolicy',
  'schedulerName',
  'securityContext',
  'runAsNonRoot',
  'tolerations',
  'tolerationSeconds',
  'priority',
  'enableServiceLinks',
  'preemptionPolicy',
  'PreemptLowerPriority',
  'hostIP',
  'podIP',
  'podIPs',
  'startTime',
  'containerStatuses',
  'lastState',
  'state',
  'running',
  'startedAt',
  'imageID',
  'containerID',
  'containerd://',
  'sha256:',
  'restartCount',
  'started',
  'qosClass',
  'Burstable',
  'BestEffort',
  'ReplicaSet',
  'controller',
  'blockOwnerDeletion',
  'ownerReferences',
  'kind',
  'uid',
  'generation',
  'observedGeneration',
  'replicas',
  'readyReplicas',
  'availableReplicas',
  'selector',
  'matchLabels',
  'template',
  'strategy',
  'maxUnavailable',
  'maxSurge',
  '25%',
  'revisionHistoryLimit',
  'progressDeadlineSeconds',
  'deployment.kubernetes.io/revision',
  'Scheduled',
  'Pulled',
  'Created',
  'Started',
  'Killing',
  'BackOff',
  'Successfully assigned',
  'Container image already present on machine',
  'Normal',
  'Warning',
  'reportingComponent',
  'ClusterIP',
  'SingleStack',
  'IPv4',
  'sessionAffinity',
  'None',
  'targetPort',
  'ipFamilies',
  'clusterIPs',
  'internalTrafficPolicy',
  'Cluster',
  'holderIdentity',
  'leaseDurationSeconds',
  'renewTime',
  'acquireTime'
]

/** sfc32: small, fast, deterministic; plenty for test data. */
function prng(seed: number): () => number {
  let a = 0x9e3779b9 ^ seed
  let b = 0x243f6a88 + seed
  let c = 0xb7e15162 ^ (seed * 31)
  let d = 1
  const next = (): number => {
    a |= 0
    b |= 0
    c |= 0
    d |= 0
    const t = (((a + b) | 0) + d) | 0
    d = (d + 1) | 0
    a = b ^ (b >>> 9)
    b = (c + (c << 3)) | 0
    c = (c << 21) | (c >>> 11)
    c = (c + t) | 0
    return t >>> 0
  }
  for (let i = 0; i < 16; i++) next()
  return next
}

class Rng {
  readonly u32: () => number
  constructor(seed: number) {
    this.u32 = prng(seed)
  }
  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + (this.u32() % (max - min + 1))
  }
  float(): number {
    return this.u32() / 0x1_0000_0000
  }
  pick<T>(list: readonly T[]): T {
    return list[this.u32() % list.length]!
  }
  alnum(n: number): string {
    const chars = 'bcdfghjklmnpqrstvwxz2456789'
    let s = ''
    for (let i = 0; i < n; i++) s += chars[this.u32() % chars.length]
    return s
  }
  hex(n: number): string {
    let s = ''
    while (s.length < n) s += this.u32().toString(16).padStart(8, '0')
    return s.slice(0, n)
  }
  uuid(): string {
    const h = this.hex(32)
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`
  }
  bytes(n: number): Buffer {
    const buf = Buffer.allocUnsafe(n + 4)
    for (let i = 0; i < n; i += 4) buf.writeUInt32LE(this.u32(), i)
    return buf.subarray(0, n)
  }
}

function varint(n: number): Buffer {
  const out: number[] = []
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80)
    n = Math.floor(n / 128)
  }
  out.push(n)
  return Buffer.from(out)
}

/** A length-delimited protobuf field. */
function field(tag: number, payload: Buffer | string): Buffer {
  const p = typeof payload === 'string' ? Buffer.from(payload) : payload
  return Buffer.concat([Buffer.from([(tag << 3) | 2]), varint(p.length), p])
}

/** ~256 KiB of protobuf-ish Kubernetes text that fillers are cut from. */
function buildCorpus(rng: Rng): Buffer {
  const parts: Buffer[] = []
  let size = 0
  while (size < 256 * 1024) {
    const n = rng.int(1, 6)
    const words: string[] = []
    for (let i = 0; i < n; i++) words.push(rng.pick(VOCAB))
    if (rng.float() < 0.25) words.push(String(rng.int(0, 65535)))
    const b = field(rng.int(1, 15), words.join(rng.float() < 0.5 ? '' : '-'))
    parts.push(b)
    size += b.length
  }
  return Buffer.concat(parts)
}

/** Filler of exactly n bytes: corpus slices interleaved with short random tokens (hashes, IPs, timestamps). */
function filler(rng: Rng, corpus: Buffer, n: number): Buffer {
  const out = Buffer.allocUnsafe(n)
  let at = 0
  while (at < n) {
    const len = Math.min(rng.int(24, 160), n - at)
    const from = rng.int(0, corpus.length - len)
    corpus.copy(out, at, from, from + len)
    at += len
    if (at < n) at += out.write(rng.u32() % 3 === 0 ? rng.hex(12) : rng.alnum(6), at, 'latin1')
  }
  return out
}

function sizeFor(rng: Rng, kind: Kind, override: ValueSize | undefined): number {
  if (typeof override === 'number') return override
  const { min, max } = override ?? kind
  if (kind.skewed && !override)
    return Math.round(Math.exp(Math.log(min) + rng.float() * (Math.log(max) - Math.log(min))))
  return rng.int(min, max)
}

/** Encode one object as the API server would store it: k8s\0 + runtime.Unknown{typeMeta, raw, "", ""}. */
function encodeObject(
  rng: Rng,
  corpus: Buffer,
  kind: Kind,
  name: string,
  namespace: string | undefined,
  size: number
): Buffer {
  const meta = Buffer.concat([
    field(1, name),
    namespace ? field(3, namespace) : Buffer.alloc(0),
    field(5, rng.uuid()),
    field(8, Buffer.concat([Buffer.from([0x08]), varint(1_700_000_000 + rng.int(0, 50_000_000))]))
  ])
  const typeMeta = Buffer.concat([field(1, kind.apiVersion), field(2, kind.kind)])
  const head = Buffer.concat([K8S_PROTOBUF_MAGIC, field(1, typeMeta)])
  const tail = Buffer.from([0x1a, 0x00, 0x22, 0x00])
  const metaField = field(1, meta)
  // Overhead of the raw and spec field headers is ≤ 8 bytes; aim the filler so the total lands near `size`.
  const fill = Math.max(0, size - head.length - tail.length - metaField.length - 8)
  const raw = Buffer.concat([metaField, field(2, filler(rng, corpus, fill))])
  return Buffer.concat([head, field(2, raw), tail])
}

/** Stable, unique, realistic-looking name from a per-resource counter (bijective scramble into 5 base-27 chars). */
function objectName(rng: Rng, resource: string, counter: number): string {
  const chars = 'bcdfghjklmnpqrstvwxz2456789'
  let x = (counter * 2_654_435_761) % 27 ** 5
  let suffix = ''
  for (let i = 0; i < 5; i++) {
    suffix += chars[x % 27]
    x = Math.floor(x / 27)
  }
  const app = rng.pick(APP_WORDS)
  // Beyond 27^5 objects of one resource the counter goes into the name plainly, keeping names unique.
  const extra = counter >= 27 ** 5 ? `-${counter.toString(36)}` : ''
  switch (resource) {
    case 'pods':
      return `${app}-${rng.alnum(10)}-${suffix}${extra}`
    case 'replicasets':
      return `${app}-${rng.alnum(5)}${suffix}${extra}`
    case 'events':
      return `${app}-${rng.alnum(5)}-${suffix}${extra}.${rng.hex(16)}`
    case 'secrets':
      return `${app}-${rng.pick(['tls', 'credentials', 'token', 'env', 'config'])}-${suffix}${extra}`
    default:
      return `${app}-${suffix}${extra}`
  }
}

/**
 * Deterministic Kubernetes-shaped entries ([key, value]), exactly `objects` of them (if objects is smaller than the
 * fixed base of namespaces and cluster-scoped objects, the first `objects` of that base). Keys follow the API
 * server's layout: /registry/<resource>/<namespace>/<name>, services under /registry/services/specs|endpoints,
 * nodes under /registry/minions, node leases under /registry/leases/kube-node-lease.
 */
export function* kubernetesEntries(opts: KubernetesDataOptions): Generator<[string, Buffer]> {
  const rng = new Rng(opts.seed ?? 1)
  const corpus = buildCorpus(rng)
  const namespaces = namespaceNames(opts)
  const counters = new Map<string, number>()
  let emitted = 0
  const make = (resource: string, name: string, ns: string | undefined): [string, Buffer] => {
    const kind = KINDS[resource]!
    const key = ns ? `/registry/${resource}/${ns}/${name}` : `/registry/${resource}/${name}`
    const size = sizeFor(rng, kind, opts.valueSize)
    let value: Buffer
    if (resource === 'secrets' && opts.encryptSecrets) {
      // aescbc: IV + ciphertext in whole AES blocks; random bytes are the honest stand-in (incompressible).
      const body = Math.max(32, Math.ceil((size - AESCBC_PREFIX.length) / 16) * 16)
      value = Buffer.concat([Buffer.from(AESCBC_PREFIX), rng.bytes(body)])
    } else {
      value = encodeObject(rng, corpus, kind, name, ns, size)
    }
    emitted++
    return [key, value]
  }

  // Base: namespaces, cluster-scoped objects, node leases, per-namespace defaults (as a real cluster has).
  const base: (() => [string, Buffer])[] = []
  for (const ns of namespaces) base.push(() => make('namespaces', ns, undefined))
  for (const [resource, names] of CLUSTER_SCOPED) for (const n of names) base.push(() => make(resource, n, undefined))
  for (const node of NODES) base.push(() => make('leases', node, 'kube-node-lease'))
  for (const ns of namespaces) {
    base.push(() => make('serviceaccounts', 'default', ns))
    base.push(() => make('configmaps', 'kube-root-ca.crt', ns))
  }
  base.push(() => make('services/specs', 'kubernetes', 'default'))
  base.push(() => make('services/endpoints', 'kubernetes', 'default'))
  for (const lease of ['kube-controller-manager', 'kube-scheduler'])
    base.push(() => make('leases', lease, 'kube-system'))
  for (const produce of base) {
    if (emitted >= opts.objects) return
    yield produce()
  }

  const mix = opts.resources?.length ? MIX.filter(([r]) => opts.resources!.includes(r)) : MIX
  if (mix.length === 0) throw new Error(`no known resource in ${JSON.stringify(opts.resources)}`)
  const total = mix.reduce((s, [, w]) => s + w, 0)
  while (emitted < opts.objects) {
    let roll = rng.int(0, total - 1)
    let resource = mix[0]![0]
    for (const [r, w] of mix) {
      if (roll < w) {
        resource = r
        break
      }
      roll -= w
    }
    // kube-system and default get a larger share, like real clusters.
    const ns = rng.float() < 0.2 ? rng.pick(['kube-system', 'default']) : rng.pick(namespaces)
    const counter = counters.get(resource) ?? 0
    counters.set(resource, counter + 1)
    yield make(resource, objectName(rng, resource, counter), ns)
  }
}

function namespaceNames(opts: KubernetesDataOptions): string[] {
  const names = [...SYSTEM_NAMESPACES]
  const want = Math.max(opts.namespaces ?? 8, names.length)
  for (let i = 0; names.length < want; i++) {
    names.push(
      `${NS_WORDS[i % NS_WORDS.length]}-${APP_WORDS[Math.floor(i / NS_WORDS.length) % APP_WORDS.length]}${
        i >= NS_WORDS.length * APP_WORDS.length ? `-${i}` : ''
      }`
    )
  }
  return names
}

/** Resource part of a /registry key: "pods", "services/specs", "apiregistration.k8s.io/apiservices", ... */
export function resourceOf(key: string): string {
  const parts = key.split('/').slice(2)
  if (parts[0] === 'services' || parts[0]?.includes('.')) return `${parts[0]}/${parts[1]}`
  return parts[0] ?? ''
}

/** Write kubernetesEntries(opts) into the member; see KubernetesDataOptions. */
export async function seedKubernetes(
  member: EtcdMember,
  opts: KubernetesDataOptions & PutManyOptions
): Promise<SeedResult> {
  const byResource: Record<string, number> = {}
  function* counted(): Generator<[string, Buffer]> {
    for (const entry of kubernetesEntries(opts)) {
      const r = resourceOf(entry[0])
      byResource[r] = (byResource[r] ?? 0) + 1
      yield entry
    }
  }
  const res = await putMany(member, counted(), { concurrency: opts.concurrency, lease: opts.lease, via: opts.via })
  return { ...res, byResource, namespaces: namespaceNames(opts) }
}
