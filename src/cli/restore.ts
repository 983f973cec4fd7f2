/**
 * `etcd-snapshot restore`: for an operator on a control-plane node with the downloaded backup file and a key. It
 * decrypts and decompresses into a private temp dir beside the data dir (the data dir's file system has room for a
 * copy of the snapshot, /tmp may be a small tmpfs), verifies the snapshot, restores it, and removes the plaintext.
 */
import { promises as fs } from 'node:fs'
import * as path from 'node:path'
import { DEFAULT_MAX_WORK_FACTOR } from '../age/index.js'
import { killRunningTools } from '../etcd/process.js'
import { DEFAULT_BUMP_REVISION, inspectDataDirSync, resolveMembership, restoreSnapshot } from '../restore/data-dir.js'
import { resolveTools } from '../etcd/tools.js'
import { VerificationError } from '../errors.js'
import { detectFileLayer, unpackBackup, type UnpackKey } from '../pipeline/unpack.js'
import { verifySnapshot } from '../verify/index.js'
import { CreatedPaths, makePrivateDir } from '../tempfiles.js'
import {
  EXIT_FAILURE,
  EXIT_OK,
  argumentFailure,
  failureLine,
  loadKey,
  parseArgs,
  requireFile,
  UsageError,
  type CliIO
} from './common.js'

export const restoreUsage = [
  'etcd-snapshot restore <backup-file> --data-dir DIR [--identity FILE | --passphrase-file FILE] [etcd flags]',
  '',
  '  --data-dir DIR                     new etcd data dir (must not exist, or be empty); made 0700',
  '  --identity FILE                    age identity file (repeatable); --passphrase-file FILE for a passphrase',
  `  --max-work-factor N                the highest scrypt work factor a passphrase file may use (default ${DEFAULT_MAX_WORK_FACTOR})`,
  "  --name NAME                        this member's name, as in its etcd manifest (kubeadm: the node name)",
  '  --initial-cluster N1=URL,N2=URL    every member of the restored cluster (the same on every member)',
  "  --initial-advertise-peer-urls URL  this member's peer URL (default: its URL in --initial-cluster)",
  '  --initial-cluster-token TOKEN      token of the restored cluster (the same on every member)',
  `  --bump-revision N                  add N to the revision and mark older ones compacted (default ${DEFAULT_BUMP_REVISION}, as`,
  '                                     Kubernetes needs; 0 turns it off; needs etcdutl 3.5.10+ / etcdctl 3.4.27+)',
  '  --mark-compacted                   accepted for etcdutl compatibility; implied by --bump-revision',
  '  --etcdctl PATH, --etcdutl PATH     the etcd tools (default: found on PATH; etcdutl is used when present)',
  "  --skip-hash-check                  restore a file with no sha256 trailer: a copy of a member's member/snap/db",
  '                                     (its structure is still verified; nothing shows it is unchanged)',
  '',
  'The backup may be age-encrypted, zstd or gzip compressed, or a plain snapshot. It is verified before the restore.',
  'On failure only what this run created is removed; a data dir that was there (empty) stays.',
  'Exit status: 0 restored, 1 failure (one line on stderr), 2 usage error.'
].join('\n')

export const restoreCommand = {
  summary: 'decrypt, verify and restore a backup into a new etcd data dir (etcdutl/etcdctl snapshot restore)',
  usage: restoreUsage,
  run: restore
}

interface RestoreArgs {
  input: string
  dataDir: string
  key?: UnpackKey
  name?: string
  initialCluster?: string
  initialAdvertisePeerUrls?: string
  initialClusterToken?: string
  bumpRevision: number
  skipHashCheck: boolean
  etcdctl: string
  etcdutl: string
  etcdutlExplicit: boolean
}

const VALUE_FLAGS = [
  '--data-dir',
  '--identity',
  '--passphrase-file',
  '--max-work-factor',
  '--name',
  '--initial-cluster',
  '--initial-advertise-peer-urls',
  '--initial-cluster-token',
  '--bump-revision',
  '--etcdctl',
  '--etcdutl'
] as const

function parseRestoreArgs(args: string[]): RestoreArgs {
  const parsed = parseArgs(args, {
    values: VALUE_FLAGS,
    switches: ['--mark-compacted', '--skip-hash-check'],
    repeatable: ['--identity']
  })
  if (parsed.positional.length !== 1) {
    throw new UsageError(
      parsed.positional.length ? `expected one backup file, got ${parsed.positional.length}` : 'missing the backup file'
    )
  }
  const input = parsed.positional[0]!
  requireFile('backup file', input)
  const one = (flag: (typeof VALUE_FLAGS)[number]): string | undefined => parsed.values.get(flag)?.[0]
  const dataDir = one('--data-dir')
  if (!dataDir) throw new UsageError('--data-dir is required: the new etcd data dir to restore into')
  const bumpText = one('--bump-revision')
  if (bumpText !== undefined && !/^\d+$/.test(bumpText))
    throw new UsageError(`--bump-revision must be a whole number, got ${JSON.stringify(bumpText)}`)
  const bumpRevision = bumpText === undefined ? DEFAULT_BUMP_REVISION : Number(bumpText)
  if (parsed.switches.has('--mark-compacted') && bumpRevision === 0) {
    throw new UsageError(
      '--mark-compacted needs --bump-revision greater than 0 (etcd marks the old revisions compacted exactly when it bumps)'
    )
  }
  const membership = {
    name: one('--name'),
    initialCluster: one('--initial-cluster'),
    initialAdvertisePeerUrls: one('--initial-advertise-peer-urls')
  }
  return {
    input,
    dataDir: path.resolve(dataDir),
    key: loadKey(parsed),
    ...membership,
    initialClusterToken: one('--initial-cluster-token'),
    bumpRevision,
    skipHashCheck: parsed.switches.has('--skip-hash-check'),
    etcdctl: one('--etcdctl') ?? 'etcdctl',
    etcdutl: one('--etcdutl') ?? 'etcdutl',
    etcdutlExplicit: one('--etcdutl') !== undefined
  }
}

export async function restore(args: string[], io: CliIO): Promise<number> {
  let opts: RestoreArgs
  try {
    opts = parseRestoreArgs(args)
  } catch (e: unknown) {
    return argumentFailure('restore', restoreUsage, e, io)
  }

  // What this run made, recorded once it exists; on failure or a signal only these go, never a path that was there.
  const created = new CreatedPaths()
  const onSignal = (signal: NodeJS.Signals): void => {
    killRunningTools()
    created.removeAllSync()
    io.stderr.write(
      `etcd-snapshot restore: interrupted (${signal}); the plaintext and the partial data dir were removed\n`
    )
    process.exit(130)
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  try {
    // Everything that can refuse does so before the plaintext exists.
    inspectDataDirSync(opts.dataDir)
    resolveMembership(opts)
    const tools = await resolveTools(opts.etcdctl, opts.etcdutl, opts.etcdutlExplicit)

    let snapshot = opts.input
    if ((await detectFileLayer(opts.input)) !== 'etcd-snapshot') {
      const parent = path.dirname(opts.dataDir)
      await fs.mkdir(parent, { recursive: true })
      const tempDir = await makePrivateDir(parent, '.etcd-snapshot-restore-')
      created.add(tempDir)
      snapshot = path.join(tempDir, 'snapshot.db')
      const unpacked = await unpackBackup({ input: opts.input, output: snapshot, key: opts.key })
      io.stdout.write(`decrypted ${path.basename(opts.input)} (${unpacked.layers.join(' + ')})\n`)
    }
    const report = await verifySnapshot(snapshot, { skipHashCheck: opts.skipHashCheck })
    if (!report.valid)
      throw new VerificationError(`the snapshot is not sound, nothing was restored: ${report.errors[0]}`)
    io.stdout.write(
      `verified: revision ${report.status.revision}, ${report.liveKeys} live keys, sha256 ${report.sha256 || 'none (no trailer)'}\n`
    )

    const result = await restoreSnapshot({
      tools,
      snapshot,
      dataDir: opts.dataDir,
      name: opts.name,
      initialCluster: opts.initialCluster,
      initialAdvertisePeerUrls: opts.initialAdvertisePeerUrls,
      initialClusterToken: opts.initialClusterToken,
      bumpRevision: opts.bumpRevision,
      skipHashCheck: opts.skipHashCheck,
      created: p => created.add(p)
    })
    // The data dir is restored and the user's now; the plaintext still goes.
    for (const p of result.created) created.keep(p)
    for (const w of result.warnings) io.stderr.write(`warning: ${w}\n`)
    const bumped = result.bumpedBy
      ? `; revision bumped by ${result.bumpedBy} to ${report.status.revision + result.bumpedBy} and marked compacted`
      : ''
    io.stdout.write(
      `restored into ${result.dataDir} with ${result.tool.name} ${result.tool.version}: member ${result.name} (${result.initialAdvertisePeerUrls}) of ${result.initialCluster}${bumped}\n`
    )
    return EXIT_OK
  } catch (e: unknown) {
    io.stderr.write(failureLine('restore', e))
    return EXIT_FAILURE
  } finally {
    await created.removeAll()
    process.removeListener('SIGINT', onSignal)
    process.removeListener('SIGTERM', onSignal)
  }
}
