import * as path from 'node:path'
import type { Readable } from 'node:stream'
import { EtcdError, VerificationError } from '../errors.js'
import type { EtcdClient, MemberStatus } from '../etcd/client.js'
import { runTool } from '../etcd/process.js'
import { compareVersions, type EtcdTools } from '../etcd/tools.js'

export interface TakenSnapshot {
  /** The plaintext snapshot, inside the private dir. */
  file: string
  /** The member's revision just before and just after the save: the snapshot's revision must lie between. */
  revisionBefore: number
  revisionAfter: number
  startedAt: Date
  finishedAt: Date
}

/**
 * The save: streams a snapshot from one member into `consume` (the pipeline, which also keeps the plaintext in
 * `file`), noting the member's revision just before and just after, and making sure the same member answered both.
 */
export async function takeSnapshot<T>(opts: {
  etcd: EtcdClient
  member: MemberStatus
  file: string
  timeoutMs: number
  consume: (source: Readable) => Promise<T>
}): Promise<{ taken: TakenSnapshot; consumed: T }> {
  const { etcd, member } = opts
  const startedAt = new Date()
  const before = await etcd.status(member.endpoint)
  const consumed = await opts.consume(await etcd.snapshot(member.endpoint, opts.timeoutMs))
  let after: MemberStatus
  try {
    after = await etcd.status(member.endpoint)
  } catch (e: unknown) {
    throw new EtcdError(`${member.endpoint} stopped answering right after the snapshot: ${(e as Error).message}`)
  }
  if (after.memberId !== member.memberId) {
    throw new EtcdError(
      `${member.endpoint} is now a different member (${after.memberId}, was ${member.memberId}); refusing the snapshot`
    )
  }
  const taken = {
    file: opts.file,
    revisionBefore: before.revision,
    revisionAfter: after.revision,
    startedAt,
    finishedAt: new Date()
  }
  return { taken, consumed }
}

/** What etcd's own `snapshot status -w json` says; the numbers etcd users know. */
export interface ToolSnapshotStatus {
  hash: number
  revision: number
  totalKey: number
  totalSize: number
  /** Which binary answered. */
  tool: string
  /**
   * What totalKey counts, which depends on the binary that answered: up to 3.5 every entry of every bolt bucket
   * (each revision of each key, plus etcd's own meta, lease, auth and member entries); from etcdutl 3.6 the live keys.
   */
  totalKeyCounts: TotalKeyMeaning
}

export type TotalKeyMeaning = 'bolt-entries' | 'live-keys'

/** How a reader should label totalKey, e.g. in a log line or a summary. */
export function describeTotalKey(meaning: TotalKeyMeaning): string {
  return meaning === 'live-keys' ? 'live keys' : 'bolt entries: all revisions and internal keys'
}

/**
 * etcd's own opinion of the file, as a second opinion next to ours: etcdutl when present (3.5+), else etcdctl
 * (3.4/3.5; 3.6's etcdctl no longer has the command).
 */
export async function toolSnapshotStatus(tools: EtcdTools, file: string): Promise<ToolSnapshotStatus> {
  let binary = tools.etcdutl?.path
  const version = tools.etcdutl?.version ?? tools.etcdctl.version
  if (!binary) {
    if (compareVersions(tools.etcdctl.version, '3.6.0') >= 0) {
      throw new EtcdError(
        `etcdctl ${tools.etcdctl.version} has no 'snapshot status'; install etcdutl next to it or set the etcdutl input`
      )
    }
    binary = tools.etcdctl.path
  }
  // Absolute, so a file name that starts with '-' is never read as a flag.
  const result = await runTool(binary, ['snapshot', 'status', '-w', 'json', path.resolve(file)], {
    // Its integrity check (bbolt's tx.Check) keeps a map of every page: ~19 MiB per GB of snapshot, live until it
    // exits. Go's default GC lets the heap reach twice what is live; GOGC=50 holds it to 1.5x at no CPU cost
    // measured (4 GB snapshot: 113-132 MiB of anonymous memory with the default, 91-92 MiB with this).
    env: { ETCDCTL_API: '3', GOGC: '50' },
    timeoutMs: 10 * 60_000
  })
  const line = result.stdout.split('\n').find(l => l.trim().startsWith('{'))
  if (result.code !== 0 || !line) {
    const why = result.signal
      ? `killed by ${result.signal}`
      : (result.stderr.trim().split('\n').at(-1) ?? `exit ${result.code}`)
    throw new VerificationError(`etcd's 'snapshot status' rejected the snapshot: ${why.slice(0, 300)}`)
  }
  const parsed = JSON.parse(line) as Partial<Record<'hash' | 'revision' | 'totalKey' | 'totalSize', number>>
  return {
    hash: Number(parsed.hash ?? 0),
    revision: Number(parsed.revision ?? 0),
    totalKey: Number(parsed.totalKey ?? 0),
    totalSize: Number(parsed.totalSize ?? 0),
    tool: path.basename(binary),
    totalKeyCounts: compareVersions(version, '3.6.0') >= 0 ? 'live-keys' : 'bolt-entries'
  }
}
