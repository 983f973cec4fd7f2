import type { Readable } from 'node:stream'
import { EtcdError } from '../errors.js'
import { readFields, varintField, WIRE_LEN, WIRE_VARINT, type ReadField } from '../wire/protobuf.js'
import type { EtcdAccess } from './access.js'
import { CallTimeoutError, ConnectError, EtcdGrpc, explainCallFailure, GrpcCode, GrpcStatusError } from './grpc.js'
import { openSnapshotStream } from './snapshot-stream.js'

/** What `Maintenance.Status` says about one member. Ids are hex strings, as etcd prints them. */
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

/** What `Maintenance.HashKV` says: etcd's MVCC hash of its keyspace at a revision, and the compaction it depends on. */
export interface HashKvAnswer {
  hash: number
  compactRevision: number
  /** The member's revision when it answered. */
  revision: number
}

/** Everything the backup asks of an etcd member. Failures are EtcdErrors of one line a platform engineer can act on. */
export interface EtcdClient {
  status(endpoint: string): Promise<MemberStatus>
  /** etcd reads the whole key bucket to answer, seconds per GB: `timeoutMs` is the snapshot's, not a status timeout. */
  hashKV(endpoint: string, revision: number, timeoutMs: number): Promise<HashKvAnswer>
  /** The snapshot's bytes as etcd streams them; `timeoutMs` bounds the whole transfer (see snapshot-stream.ts). */
  snapshot(endpoint: string, timeoutMs: number): Promise<Readable>
}

/** A short timeout for status calls: a member that cannot answer a status in this time is not a good source. */
const STATUS_TIMEOUT_MS = 10_000
/** A member that does not take a connection in this time is unreachable, whatever the call's own timeout. */
const DIAL_TIMEOUT_MS = 10_000

/**
 * EtcdClient over our own gRPC transport (grpc.ts): one connection per call, authenticated when a username is set,
 * as etcdctl would (and no process per call).
 */
export class GrpcEtcdClient implements EtcdClient {
  constructor(private readonly access: EtcdAccess) {}

  async status(endpoint: string): Promise<MemberStatus> {
    const started = Date.now()
    const reply = await this.call(endpoint, '/etcdserverpb.Maintenance/Status', Buffer.alloc(0), STATUS_TIMEOUT_MS, {
      timeoutMs: () => STATUS_TIMEOUT_MS - (Date.now() - started),
      timedOut: () => 'no answer in time'
    })
    try {
      return decodeStatus(endpoint, reply)
    } catch {
      throw new EtcdError(`${endpoint}: unexpected 'endpoint status' reply`)
    }
  }

  async hashKV(endpoint: string, revision: number, timeoutMs: number): Promise<HashKvAnswer> {
    // etcdserverpb.HashKVRequest { int64 revision = 1; }
    const reply = await this.call(
      endpoint,
      '/etcdserverpb.Maintenance/HashKV',
      varintField(1, revision),
      DIAL_TIMEOUT_MS,
      {
        timeoutMs: () => timeoutMs,
        timedOut: () =>
          `no answer within the timeout of ${Math.ceil(timeoutMs / 1000)}s; etcd hashes the whole keyspace to answer: raise 'timeout' for a big one, or check the member's load`
      }
    )
    try {
      return decodeHashKv(reply)
    } catch {
      throw new EtcdError(`unexpected endpoint hashkv reply from ${endpoint}`)
    }
  }

  snapshot(endpoint: string, timeoutMs: number): Promise<Readable> {
    return openSnapshotStream(endpoint, this.access, timeoutMs)
  }

  /** Connects, makes one unary call, closes; every failure becomes an EtcdError of one line. */
  private async call(
    endpoint: string,
    path: string,
    request: Buffer,
    dialTimeoutMs: number,
    deadline: { timeoutMs: () => number; timedOut: () => string }
  ): Promise<Buffer> {
    let connection: EtcdGrpc
    try {
      connection = await EtcdGrpc.connect(endpoint, this.access, dialTimeoutMs)
    } catch (e: unknown) {
      throw new EtcdError(e instanceof ConnectError ? e.hint : explainCallFailure(e))
    }
    try {
      return await connection.unary(path, request, Math.max(1, deadline.timeoutMs()))
    } catch (e: unknown) {
      const timedOut =
        e instanceof CallTimeoutError || (e instanceof GrpcStatusError && e.code === GrpcCode.DeadlineExceeded)
      throw new EtcdError(timedOut ? deadline.timedOut() : explainCallFailure(e))
    } finally {
      connection.destroy()
    }
  }
}

/** The fields of a reply by number, last one winning (as protobuf merges), repeated strings collected. */
class Reply {
  private readonly fields: ReadField[]

  constructor(
    private readonly bytes: Buffer,
    start = 0,
    end = bytes.length
  ) {
    this.fields = readFields(bytes, start, end)
  }

  uint(n: number): bigint {
    const f = this.fields.findLast(f => f.n === n && f.wire === WIRE_VARINT)
    return f?.wire === WIRE_VARINT ? f.value : 0n
  }

  /** An int64 field: etcd's -1 travels as 2^64 - 1. */
  int(n: number): number {
    return Number(BigInt.asIntN(64, this.uint(n)))
  }

  has(n: number): boolean {
    return this.fields.some(f => f.n === n)
  }

  strings(n: number): string[] {
    return this.fields.flatMap(f =>
      f.n === n && f.wire === WIRE_LEN ? [this.bytes.toString('utf8', f.start, f.end)] : []
    )
  }

  message(n: number): Reply | undefined {
    const f = this.fields.findLast(f => f.n === n && f.wire === WIRE_LEN)
    return f?.wire === WIRE_LEN ? new Reply(this.bytes, f.start, f.end) : undefined
  }
}

/** etcdserverpb.ResponseHeader { uint64 cluster_id = 1; uint64 member_id = 2; int64 revision = 3; uint64 raft_term = 4; } */
const HEADER = { clusterId: 1, memberId: 2, revision: 3 }

/**
 * etcdserverpb.StatusResponse { ResponseHeader header = 1; string version = 2; int64 dbSize = 3; uint64 leader = 4;
 * uint64 raftIndex = 5; uint64 raftTerm = 6; uint64 raftAppliedIndex = 7 (3.4+); repeated string errors = 8;
 * int64 dbSizeInUse = 9; bool isLearner = 10; ... }
 */
function decodeStatus(endpoint: string, bytes: Buffer): MemberStatus {
  const reply = new Reply(bytes)
  const header = reply.message(1)
  if (!header) throw new Error('no header')
  // A zero id is absent from the wire, as etcdctl's JSON leaves it out: '' then.
  const hex = (r: Reply, n: number): string => (r.has(n) ? r.uint(n).toString(16) : '')
  const raftIndex = Number(reply.uint(5))
  return {
    endpoint,
    clusterId: hex(header, HEADER.clusterId),
    memberId: hex(header, HEADER.memberId),
    leaderId: hex(reply, 4),
    isLearner: reply.uint(10) !== 0n,
    alarms: reply.strings(8),
    version: reply.strings(2).at(-1) ?? 'unknown',
    revision: header.int(HEADER.revision),
    raftIndex,
    raftAppliedIndex: reply.has(7) ? Number(reply.uint(7)) : raftIndex,
    raftTerm: Number(reply.uint(6)),
    dbSize: reply.int(3)
  }
}

/** etcdserverpb.HashKVResponse { ResponseHeader header = 1; uint32 hash = 2; int64 compact_revision = 3; int64 hash_revision = 4 (3.5+); } */
function decodeHashKv(bytes: Buffer): HashKvAnswer {
  const reply = new Reply(bytes)
  return {
    hash: Number(reply.uint(2)),
    compactRevision: reply.int(3),
    revision: reply.message(1)?.int(HEADER.revision) ?? 0
  }
}
