import { EtcdError, VerificationError, errorMessage } from '../errors.js'
import type { EtcdClient, HashKvAnswer } from '../etcd/client.js'
import { hashKV, type SnapshotReport } from '../verify/verify.js'

/** How one member's HashKV at the snapshot's revision compared with the snapshot's. */
export interface MemberHashKv {
  endpoint: string
  outcome: 'match' | 'compacted' | 'unavailable'
  hash?: number
  compactRevision?: number
  detail?: string
}

type HashKvSource = Pick<EtcdClient, 'hashKV'>

/** The members whose HashKV is compared: the snapshot's source first, then every other, each once. */
export function membersToAsk(source: string, others: string[]): string[] {
  return [source, ...others.filter(e => e !== source)]
}

/**
 * HashKV asked of the members before the walk has finished, at the revision read from the file's last key (see
 * peekRevision): etcd hashes its keyspace while the walk reads ours, instead of after it. compareHashKV then takes
 * an answer asked at the revision it needs, and asks again for any other; a failure is reported there, when the
 * answer is used, or never if the backup failed first.
 */
export class EarlyHashKv implements HashKvSource {
  private revision?: number
  private readonly asked = new Map<string, Promise<HashKvAnswer>>()

  constructor(private readonly members: HashKvSource) {}

  ask(endpoints: string[], revision: number, timeoutMs: number): void {
    this.revision = revision
    for (const endpoint of endpoints) {
      const answer = this.members.hashKV(endpoint, revision, timeoutMs)
      answer.catch(() => undefined)
      this.asked.set(endpoint, answer)
    }
  }

  hashKV(endpoint: string, revision: number, timeoutMs: number): Promise<HashKvAnswer> {
    const early = revision === this.revision ? this.asked.get(endpoint) : undefined
    return early ?? this.members.hashKV(endpoint, revision, timeoutMs)
  }
}

/**
 * Proves the backup equals the cluster's keyspace at the snapshot's revision: etcd's MVCC hash of that revision, from
 * the member the snapshot came from and from every other member, must equal the hash computed from the file. This is
 * the one check that catches damage inside user values that happened before etcd computed the trailer.
 *
 * A mismatch fails; a revision the member has already compacted cannot be compared and is a warning, as is a
 * member other than the source that does not answer. The source itself must answer, within `timeoutMs` (etcd
 * hashes the whole keyspace, which takes seconds per GB).
 */
export async function compareHashKV(
  etcd: HashKvSource,
  source: string,
  others: string[],
  snapshotFile: string,
  native: SnapshotReport,
  timeoutMs: number
): Promise<MemberHashKv[]> {
  const revision = native.status.revision
  const ours = native.hashKV
  if (!ours)
    throw new VerificationError(
      `HashKV of the snapshot at revision ${revision} could not be computed: ${native.warnings.join('; ')}`
    )
  // The member's hash depends on its compact revision; when it compacted after the save, hash the file the same way.
  const byCompaction = new Map<number, Promise<number>>([[ours.compactRevision, Promise.resolve(ours.hash)]])
  const snapshotHash = (compactRevision: number): Promise<number> => {
    let hash = byCompaction.get(compactRevision)
    if (!hash) {
      hash = hashKV(snapshotFile, revision, { compactRevision }).then(r => r.hash)
      byCompaction.set(compactRevision, hash)
    }
    return hash
  }

  const results = await Promise.all(
    membersToAsk(source, others).map(async (endpoint): Promise<MemberHashKv> => {
      let theirs: { hash: number; compactRevision: number }
      try {
        theirs = await etcd.hashKV(endpoint, revision, timeoutMs)
      } catch (e: unknown) {
        const message = errorMessage(e)
        if (/compacted/i.test(message)) return { endpoint, outcome: 'compacted', detail: message }
        if (endpoint === source) throw new EtcdError(`endpoint hashkv on ${endpoint} failed: ${message}`)
        return { endpoint, outcome: 'unavailable', detail: message }
      }
      const expected = await snapshotHash(theirs.compactRevision)
      if (expected !== theirs.hash) {
        throw new VerificationError(
          `HashKV at revision ${revision} differs: the snapshot's is ${expected} but ${endpoint} says ${theirs.hash}; the backup does not hold the cluster's keyspace`
        )
      }
      return { endpoint, outcome: 'match', hash: theirs.hash, compactRevision: theirs.compactRevision }
    })
  )
  return results
}
