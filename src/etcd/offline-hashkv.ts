import { constants, promises as fs } from 'node:fs'
import { VerificationError } from '../errors.js'
import { runTool } from './process.js'
import { compareVersions, type EtcdTools } from './tools.js'
import { peekHasLeases } from '../verify/peek.js'

/** What etcdutl 3.6's `hashkv` says of a snapshot file at its own latest revision. */
export interface OfflineHashKv {
  hash: number
  hashRevision: number
  /** -1 when the file was never compacted. */
  compactRevision: number
  /** e.g. 'etcdutl 3.6.17'. */
  tool: string
}

/**
 * etcd's own MVCC hash computed from the file by etcdutl 3.6's offline `hashkv`: a third opinion beside the native
 * verifier's and the members'. Undefined without etcdutl 3.6+, which is the first to have the command. etcdutl opens
 * the database read-write (bbolt commits a transaction, so the bytes change and the trailer no longer matches), so
 * it reads a copy next to the file (a reflink where the filesystem can), removed afterwards.
 *
 * Also undefined, without running it, when the snapshot holds a lease: etcdutl 3.6 opens the store without a lessor
 * and panics once it has read every key, at the first key bound to a lease (etcd-io/etcd#21105). Every Kubernetes
 * snapshot has such keys (each Event is bound to one), and there the attempt cost a full copy of the file, a read of
 * the whole keyspace and the copy's write-back, for no answer.
 */
export async function offlineHashKv(
  tools: EtcdTools,
  file: string,
  timeoutMs: number
): Promise<OfflineHashKv | undefined> {
  const etcdutl = tools.etcdutl
  if (!etcdutl || compareVersions(etcdutl.version, '3.6.0') < 0) return undefined
  if (peekHasLeases(file) === true) return undefined
  const copy = `${file}.hashkv`
  try {
    await fs.copyFile(file, copy, constants.COPYFILE_FICLONE)
    const result = await runTool(etcdutl.path, ['hashkv', copy, '-w', 'json'], { timeoutMs })
    const line = result.stdout.split('\n').find(l => l.trim().startsWith('{'))
    // The panic above, when the lease bucket could not be read but a key is bound to a lease all the same: no third
    // opinion then, not a bad file.
    if (result.code !== 0 && /no lessor to attach lease/.test(result.stderr)) return undefined
    if (result.code !== 0 || !line) {
      const why = result.signal
        ? `killed by ${result.signal}`
        : (result.stderr.trim().split('\n').at(-1) ?? `exit ${result.code}`)
      throw new VerificationError(`etcdutl ${etcdutl.version} hashkv rejected the snapshot: ${why.slice(0, 300)}`)
    }
    const parsed = JSON.parse(line) as Partial<Record<'hash' | 'hashRevision' | 'compactRevision', number>>
    return {
      hash: Number(parsed.hash ?? 0),
      hashRevision: Number(parsed.hashRevision ?? 0),
      compactRevision: Number(parsed.compactRevision ?? 0),
      tool: `etcdutl ${etcdutl.version}`
    }
  } finally {
    await fs.rm(copy, { force: true })
  }
}
