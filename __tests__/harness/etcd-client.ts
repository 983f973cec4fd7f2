/**
 * A test etcd's client: bulk puts as batched KV.Txn calls over the action's own gRPC transport (src/etcd/grpc.ts) or,
 * on request, the JSON gateway; everything else (range, delete, compaction, leases, auth) uses etcd 3.4's
 * grpc-gateway JSON API (POST /v3/...) over the member's keep-alive agent. Both present the CN-less gateway client
 * cert. (`etcdctl put` in a loop manages ~80 keys/s; this does thousands.) The data to load is seed.ts's.
 *
 * Gateway notes (3.4): request fields may be snake_case or camelCase, responses use snake_case with int64 as decimal
 * strings and omit zero values; bytes are base64. With auth enabled, send `Authorization: <token>` from
 * /v3/auth/authenticate — without one the gateway's own loopback connection (server cert CN) is what etcd sees.
 */
import type { EtcdAccess } from '../../src/etcd/access.js'
import { EtcdGrpc, GrpcStatusError } from '../../src/etcd/grpc.js'
import { lengthField, readFields, varintField, WIRE_LEN, WIRE_VARINT } from '../../src/wire/protobuf.js'
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
// KV.Txn puts over the action's own gRPC transport (src/etcd/grpc.ts), protobuf per etcd's rpc.proto:
// TxnRequest.success=2, RequestOp.request_put=2, PutRequest key=1 value=2 lease=3; TxnResponse.header=1,
// ResponseHeader.revision=3.

function encodeTxnPut(batch: Batch, lease: string | undefined): Buffer {
  const leaseField = lease ? varintField(3, BigInt(lease)) : Buffer.alloc(0)
  return Buffer.concat(
    batch.map(([key, value]) =>
      lengthField(2, lengthField(2, Buffer.concat([lengthField(1, key), lengthField(2, value), leaseField])))
    )
  )
}

/** TxnResponse.header.revision. */
function txnRevision(reply: Buffer): number {
  const header = readFields(reply).find(f => f.n === 1 && f.wire === WIRE_LEN)
  if (header?.wire !== WIRE_LEN) return 0
  const revision = readFields(reply, header.start, header.end).find(f => f.n === 3 && f.wire === WIRE_VARINT)
  return revision?.wire === WIRE_VARINT ? Number(revision.value) : 0
}

/** What the transport needs to reach a test member: the CN-less gateway client cert, and the member's credentials. */
function accessOf(member: EtcdMember): EtcdAccess {
  const creds = credentials.get(member)
  return {
    ...(member.pki
      ? { cacertFile: member.pki.caCert, certFile: member.pki.gatewayClientCert, keyFile: member.pki.gatewayClientKey }
      : {}),
    ...(creds ? { username: creds.user, password: creds.password } : {})
  }
}

class GrpcSession {
  private constructor(
    private readonly member: EtcdMember,
    private connection: EtcdGrpc
  ) {}

  static async open(member: EtcdMember): Promise<GrpcSession> {
    return new GrpcSession(member, await EtcdGrpc.connect(member.clientUrl, accessOf(member)))
  }

  close(): void {
    this.connection.close()
  }

  /** One KV.Txn of puts; resolves with the revision. Reconnects once for a fresh token if etcd says it is invalid. */
  async txnPut(batch: Batch, lease: string | undefined): Promise<number> {
    const message = encodeTxnPut(batch, lease)
    for (let attempt = 0; ; attempt++) {
      try {
        return txnRevision(await this.connection.unary('/etcdserverpb.KV/Txn', message, 120_000))
      } catch (e: unknown) {
        const detail = e instanceof GrpcStatusError ? e.detail : ''
        if (attempt === 0 && /invalid auth token/.test(detail)) {
          this.connection.close()
          this.connection = await EtcdGrpc.connect(this.member.clientUrl, accessOf(this.member))
          continue
        }
        if (e instanceof GrpcStatusError) {
          throw new GatewayError(`/etcdserverpb.KV/Txn on ${this.member.clientUrl}: ${e.message}`, 0, e.code)
        }
        throw e
      }
    }
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
