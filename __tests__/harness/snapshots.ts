/**
 * Snapshots from a live test member and what etcd's own tools say about them: `snapshot save`, `snapshot status`,
 * and `endpoint hashkv` (the references the native verifier is compared with).
 */
import type { EtcdMember } from './etcd.js'
import { etcdAtLeast, etcdctl, snapshotTool } from './etcd.js'

type Env = Record<string, string | undefined>

export interface ToolStatus {
  hash: number
  revision: number
  totalKey: number
  totalSize: number
  /** etcdutl 3.6 only: the storage version (the meta bucket's storageVersion). */
  version?: string
}

export interface MemberHashKv {
  endpoint: string
  hash: number
  compactRevision: number
  /** The member's current revision when it answered. */
  revision: number
}

async function run(member: Pick<EtcdMember, 'etcdctlEnv'>, args: string[], env: Env = {}): Promise<string> {
  const r = await etcdctl(member, args, env, { timeoutMs: 300_000 })
  if (r.code !== 0) throw new Error(`etcdctl ${args.join(' ')} failed (${r.code}): ${r.stderr.trim()}`)
  return r.stdout
}

export async function saveSnapshot(member: Pick<EtcdMember, 'etcdctlEnv'>, file: string, env: Env = {}): Promise<void> {
  await run(member, ['snapshot', 'save', file], env)
}

/**
 * `snapshot status -w json` from this release's snapshot tool (etcdutl 3.5+, etcdctl 3.4), which reads the file
 * itself; no member needed. etcdutl 3.6's totalKey counts live keys, earlier releases' every bolt entry.
 */
export async function toolStatus(file: string): Promise<ToolStatus> {
  const r = await snapshotTool(['snapshot', 'status', '-w', 'json', file], { timeoutMs: 300_000 })
  if (r.code !== 0) throw new Error(`snapshot status ${file} failed (${r.code}): ${r.stderr.trim()}`)
  return JSON.parse(r.stdout) as ToolStatus
}

/** etcdutl 3.6's `snapshot status`: totalKey is the live keys, and the storage version is printed. */
export const TOOL_STATUS_COUNTS_LIVE_KEYS: boolean = etcdAtLeast('3.6.0')

/**
 * What this release's `snapshot status -w json` (toolStatus) prints for a snapshot the native verifier reported on:
 * its status as it is up to 3.5; on 3.6 totalKey is the live keys and `version` the storage version ('' when the
 * meta bucket has none).
 */
export function expectedToolStatus(report: {
  status: ToolStatus
  liveKeys: number
  storageVersion?: string
}): ToolStatus {
  const { hash, revision, totalKey, totalSize } = report.status
  if (!TOOL_STATUS_COUNTS_LIVE_KEYS) return { hash, revision, totalKey, totalSize }
  return { hash, revision, totalKey: report.liveKeys, totalSize, version: report.storageVersion ?? '' }
}

/** `etcdctl endpoint hashkv --rev=<rev> -w json` from each endpoint (default: the member's own). */
export async function memberHashKv(
  member: Pick<EtcdMember, 'etcdctlEnv'>,
  revision: number,
  env: Env = {}
): Promise<MemberHashKv[]> {
  const out = await run(member, ['endpoint', 'hashkv', `--rev=${revision}`, '-w', 'json'], env)
  const parsed = JSON.parse(out) as {
    Endpoint: string
    HashKV: { hash?: number; compact_revision?: number; header?: { revision?: number } }
  }[]
  return parsed.map(e => ({
    endpoint: e.Endpoint,
    hash: e.HashKV.hash ?? 0,
    compactRevision: e.HashKV.compact_revision ?? 0,
    revision: e.HashKV.header?.revision ?? 0
  }))
}
