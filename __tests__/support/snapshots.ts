/**
 * Snapshots from a live test member and what etcd's own tools say about them: `snapshot save`, `snapshot status`,
 * and `endpoint hashkv` (the references the native verifier is compared with).
 */
import type { EtcdMember } from './etcd.js'
import { etcdctl, snapshotTool } from './etcd.js'

type Env = Record<string, string | undefined>

export interface ToolStatus {
  hash: number
  revision: number
  totalKey: number
  totalSize: number
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
