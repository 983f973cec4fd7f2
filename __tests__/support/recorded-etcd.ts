/**
 * RECORDED, NOT REAL: stand-ins for etcdctl and etcdutl 3.5 and 3.6, for the command-line differences a real 3.4
 * machine cannot show. Only Debian's etcd 3.4.23 can run here (no network to fetch other releases), so these shell
 * scripts print what the real 3.5/3.6 binaries print, in the shapes read from etcd's source at those tags
 * (etcdctl/ctlv3/command/{version,snapshot,printer_json}_command.go, etcdutl/snapshot/v3_snapshot.go,
 * pkg/cobrautl/error.go, pkg/flags/flag.go, api/etcdserverpb StatusResponse json tags):
 *
 * - `version`: "etcdctl version: X\nAPI version: X.Y" (etcdutl likewise).
 * - `endpoint hashkv --rev=R -w json`: [{"Endpoint":…,"HashKV":{header,hash,compact_revision[,hash_revision]}}].
 * - `endpoint status -w json`: [{"Endpoint":…,"Status":{header{cluster_id,member_id,revision,raft_term},version,dbSize,
 *   leader,raftIndex,raftTerm,raftAppliedIndex,dbSizeInUse[,storageVersion,dbSizeQuota,downgradeInfo]}}] with uint64
 *   ids as JSON numbers (3.6 adds the last three fields).
 * - `snapshot status`: in etcdctl 3.5 it prints "Deprecated: Use `etcdutl snapshot status` instead." on stderr; in
 *   etcdctl 3.6 the command is gone. etcdutl prints {"hash","revision","totalKey","totalSize"} (3.6 adds "version",
 *   and its totalKey counts live keys, where 3.5 counted every entry of every bolt bucket).
 * - 3.6 warns on stderr about ETCDCTL_* variables it does not know, ETCDCTL_API among them.
 *
 * The numbers come from a real snapshot taken from a real 3.4 member, the one the action then streams its snapshot
 * from over gRPC (etcdctl does not take part in the save), so the action's own checks run on real bytes.
 */
import { chmodSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export interface RecordedFixture {
  /** A real snapshot of the member, taken before the tests; the member is not written to afterwards. */
  snapshot: string
  hash: number
  revision: number
  /** totalKey as etcd ≤ 3.5 counts it (every bolt entry). */
  boltEntries: number
  /** totalKey as etcdutl 3.6 counts it (live keys). */
  liveKeys: number
  totalSize: number
  /** What the real member's `endpoint hashkv --rev=<revision>` answered for the fixture's revision. */
  hashKv: number
  compactRevision: number
}

export interface RecordedRelease {
  version: string
}

const CLUSTER_ID = '14841639068965178418'
const MEMBER_ID = '10276657743932975437'

function apiVersion(version: string): string {
  return version.split('.').slice(0, 2).join('.')
}

const is36 = (version: string): boolean => Number(version.split('.')[1]) >= 6

/** A zap JSON log line as etcd's CLIs print them on stderr. */
function zap(level: string, caller: string, msg: string, fields: Record<string, string>): string {
  return JSON.stringify({ level, ts: '2026-11-25T08:00:00.000000Z', caller, msg, ...fields })
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`
}

/** Writes `etcdctl` (and, with withEtcdutl, `etcdutl`) for one recorded release into dir; returns their paths. */
export function writeRecordedTools(
  dir: string,
  release: RecordedRelease,
  fixture: RecordedFixture,
  withEtcdutl: boolean
): { etcdctl: string; etcdutl?: string } {
  const v = release.version
  const six = is36(v)
  const statusFields = six ? `,"storageVersion":"${apiVersion(v)}.0","dbSizeQuota":2147483648,"downgradeInfo":{}` : ''
  const endpointStatus = `[{"Endpoint":"%s","Status":{"header":{"cluster_id":${CLUSTER_ID},"member_id":${MEMBER_ID},"revision":${fixture.revision},"raft_term":2},"version":"${v}","dbSize":${fixture.totalSize},"leader":${MEMBER_ID},"raftIndex":${fixture.revision + 40},"raftTerm":2,"raftAppliedIndex":${fixture.revision + 40},"dbSizeInUse":${fixture.totalSize}${statusFields}}}]`
  // HashKVResponse json tags omit zero values; 3.6 adds hash_revision.
  const hashKvBody = JSON.stringify({
    header: { cluster_id: 0, member_id: 0, revision: fixture.revision, raft_term: 2 },
    hash: fixture.hashKv,
    ...(fixture.compactRevision ? { compact_revision: fixture.compactRevision } : {}),
    ...(six ? { hash_revision: fixture.revision } : {})
  })
    .replace('"cluster_id":0', `"cluster_id":${CLUSTER_ID}`)
    .replace('"member_id":0', `"member_id":${MEMBER_ID}`)
  const endpointHashKv = `[{"Endpoint":"%s","HashKV":${hashKvBody}}]`
  const dbStatus = six
    ? `{"hash":${fixture.hash},"revision":${fixture.revision},"totalKey":${fixture.liveKeys},"totalSize":${fixture.totalSize},"version":"${apiVersion(v)}.0"}`
    : `{"hash":${fixture.hash},"revision":${fixture.revision},"totalKey":${fixture.boltEntries},"totalSize":${fixture.totalSize}}`
  const apiWarning = zap('warn', 'flags/flag.go:94', 'unrecognized environment variable', {
    'environment-variable': 'ETCDCTL_API=3'
  })
  const common = `#!/bin/sh
# RECORDED output shapes of etcd ${v} (not a real binary); see __tests__/support/recorded-etcd.ts
endpoint=""
words=""
for a in "$@"; do
  case "$a" in
    --endpoints=*) endpoint="\${a#--endpoints=}" ;;
    -w|json|--*) ;;
    *) words="$words $a" ;;
  esac
done
`
  const etcdctl = `${common}${six ? `[ -n "$ETCDCTL_API" ] && printf '%s\\n' ${shellQuote(apiWarning)} >&2\n` : ''}case "$words" in
  " version") printf 'etcdctl version: ${v}\\nAPI version: ${apiVersion(v)}\\n' ;;
  " endpoint status") printf '${endpointStatus}\\n' "$endpoint" ;;
  " endpoint hashkv") printf '${endpointHashKv}\\n' "$endpoint" ;;
  " snapshot status "*)
  ${
    six
      ? `printf 'Error: unknown command "status" for "etcdctl snapshot"\\nRun '"'"'etcdctl snapshot --help'"'"' for usage.\\n' >&2; exit 1`
      : `printf 'Deprecated: Use \`etcdutl snapshot status\` instead.\\n\\n' >&2; printf '%s\\n' ${shellQuote(dbStatus)}`
  } ;;
  *) printf 'Error: unexpected call in recorded etcdctl: %s\\n' "$words" >&2; exit 1 ;;
esac
`
  const etcdutl = `${common}case "$words" in
  " version") printf 'etcdutl version: ${v}\\nAPI version: ${apiVersion(v)}\\n' ;;
  " snapshot status "*) printf '%s\\n' ${shellQuote(dbStatus)} ;;
  *) printf 'Error: unexpected call in recorded etcdutl: %s\\n' "$words" >&2; exit 1 ;;
esac
`
  const paths: { etcdctl: string; etcdutl?: string } = { etcdctl: join(dir, 'etcdctl') }
  writeFileSync(paths.etcdctl, etcdctl)
  chmodSync(paths.etcdctl, 0o755)
  if (withEtcdutl) {
    paths.etcdutl = join(dir, 'etcdutl')
    writeFileSync(paths.etcdutl, etcdutl)
    chmodSync(paths.etcdutl, 0o755)
  }
  return paths
}
