/**
 * `etcd-snapshot restore`: for an operator on a control-plane node with the downloaded backup file and a key. It
 * decrypts and decompresses into a private temp dir beside the data dir (the data dir's file system has room for a
 * copy of the snapshot, /tmp may be a small tmpfs), verifies the snapshot, restores it, and removes the plaintext.
 */
import * as path from 'node:path'
import { DEFAULT_MAX_WORK_FACTOR } from '../age/index.js'
import { cleanUpOnCancel } from '../cancel.js'
import { DEFAULT_BUMP_REVISION, inspectDataDirSync } from '../restore/data-dir.js'
import { restoreBackup, type DataDirRestore } from '../restore/flow.js'
import type { UnpackKey } from '../pipeline/unpack.js'
import { CreatedPaths } from '../tempfiles.js'
import {
  EXIT_FAILURE,
  EXIT_OK,
  argumentFailure,
  failureLine,
  KEY_OPTIONS,
  loadKey,
  parseCommandArgs,
  requireFile,
  UsageError,
  type CliIO
} from './common.js'
import { downloadS3Backup, objectFileName, S3_OPTIONS, s3SourceFromArgs, s3Usage } from './s3.js'
import type { S3Source } from '../restore/s3-source.js'

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
  ...s3Usage(37),
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
  /** The S3 object when `input` is an s3:// URI; it is downloaded beside the data dir and removed after. */
  s3?: S3Source
  key?: UnpackKey
  skipHashCheck: boolean
  restore: DataDirRestore
}

const OPTIONS = {
  ...KEY_OPTIONS,
  'data-dir': { type: 'string' },
  name: { type: 'string' },
  'initial-cluster': { type: 'string' },
  'initial-advertise-peer-urls': { type: 'string' },
  'initial-cluster-token': { type: 'string' },
  'bump-revision': { type: 'string' },
  'mark-compacted': { type: 'boolean' },
  'skip-hash-check': { type: 'boolean' },
  etcdctl: { type: 'string' },
  etcdutl: { type: 'string' },
  ...S3_OPTIONS
} as const

function parseRestoreArgs(args: string[]): RestoreArgs {
  const parsed = parseCommandArgs(args, OPTIONS)
  if (parsed.positionals.length !== 1) {
    throw new UsageError(
      parsed.positionals.length
        ? `expected one backup file, got ${parsed.positionals.length}`
        : 'missing the backup file'
    )
  }
  const input = parsed.positionals[0]!
  const s3 = s3SourceFromArgs(input, parsed)
  if (!s3) requireFile('backup file', input)
  const one = (name: keyof typeof OPTIONS): string | undefined => parsed.value(name)
  const dataDir = one('data-dir')
  if (!dataDir) throw new UsageError('--data-dir is required: the new etcd data dir to restore into')
  const bumpText = one('bump-revision')
  if (bumpText !== undefined && !/^\d+$/.test(bumpText))
    throw new UsageError(`--bump-revision must be a whole number, got ${JSON.stringify(bumpText)}`)
  const bumpRevision = bumpText === undefined ? DEFAULT_BUMP_REVISION : Number(bumpText)
  if (parsed.has('mark-compacted') && bumpRevision === 0) {
    throw new UsageError(
      '--mark-compacted needs --bump-revision greater than 0 (etcd marks the old revisions compacted exactly when it bumps)'
    )
  }
  return {
    input,
    ...(s3 ? { s3 } : {}),
    key: loadKey(parsed),
    skipHashCheck: parsed.has('skip-hash-check'),
    restore: {
      dataDir: path.resolve(dataDir),
      name: one('name'),
      initialCluster: one('initial-cluster'),
      initialAdvertisePeerUrls: one('initial-advertise-peer-urls'),
      initialClusterToken: one('initial-cluster-token'),
      bumpRevision,
      tools: {
        etcdctl: one('etcdctl') ?? 'etcdctl',
        etcdutl: one('etcdutl') ?? 'etcdutl',
        etcdutlExplicit: one('etcdutl') !== undefined
      }
    }
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
  const stopListening = cleanUpOnCancel(
    created,
    signal =>
      io.stderr.write(
        `etcd-snapshot restore: interrupted (${signal}); the plaintext and the partial data dir were removed\n`
      ),
    130
  )
  try {
    const name = opts.s3 ? objectFileName(opts.input) : path.basename(opts.input)
    // The encrypted download goes beside the data dir too, in its own private dir removed with the rest.
    if (opts.s3) inspectDataDirSync(opts.restore.dataDir)
    const backup = opts.s3
      ? await downloadS3Backup(opts.s3, path.dirname(opts.restore.dataDir), created, io)
      : { backupFile: opts.input }
    const { report, restored: result } = await restoreBackup({
      backup,
      key: opts.key,
      skipHashCheck: opts.skipHashCheck,
      restore: opts.restore,
      unsound: 'the snapshot is not sound, nothing was restored',
      created,
      report: {
        unpacked: unpacked => io.stdout.write(`decrypted ${name} (${unpacked.layers.join(' + ')})\n`),
        verified: verified =>
          io.stdout.write(
            `verified: revision ${verified.status.revision}, ${verified.liveKeys} live keys, sha256 ${verified.sha256 || 'none (no trailer)'}\n`
          )
      }
    })
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
    stopListening()
  }
}
