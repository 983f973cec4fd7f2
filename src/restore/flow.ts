/**
 * The restore, shared by the restore action and the `etcd-snapshot` CLI: unpack a backup file (decrypt, decompress),
 * verify the snapshot natively and against what its manifest recorded, and optionally restore it into a new data dir.
 * Front ends parse their inputs, fetch the file and report; every path made here is recorded in `created` as soon as
 * it exists, so that a failure or a cancel removes those and nothing that was there before.
 */
import { promises as fs } from 'node:fs'
import * as path from 'node:path'
import { ConfigurationError, VerificationError } from '../errors.js'
import { resolveTools } from '../etcd/tools.js'
import { detectFileLayer, unpackBackup, type UnpackKey, type UnpackResult } from '../pipeline/unpack.js'
import { createCheckedFile, CreatedPaths, makePrivateDir } from '../tempfiles.js'
import { verifySnapshot, type SnapshotReport } from '../verify/index.js'
import type { FetchedBackup } from './source.js'
import {
  inspectDataDirSync,
  resolveMembership,
  restoreSnapshot,
  type RestoreOptions,
  type RestoreResult
} from './data-dir.js'

/** The etcd tools to restore with: paths or names on PATH; etcdutl when present (or named), else etcdctl. */
export interface ToolChoice {
  etcdctl: string
  etcdutl: string
  etcdutlExplicit: boolean
}

/** Where and how to restore: the new data dir and the membership written into it. */
export type DataDirTarget = Pick<
  RestoreOptions,
  | 'dataDir'
  | 'name'
  | 'initialCluster'
  | 'initialAdvertisePeerUrls'
  | 'initialClusterToken'
  | 'bumpRevision'
  | 'markCompacted'
  | 'timeoutMs'
>

/** A restore into a new data dir, and the tools that do it. */
export type DataDirRestore = DataDirTarget & { tools: ToolChoice }

export type RestoreStep = 'unpack' | 'verify' | 'restore'

/** How a front end hears of the flow: each step's work (the action runs it in a log group), then its result. */
export interface RestoreReporter {
  step?<T>(step: RestoreStep, work: () => Promise<T>): Promise<T>
  unpacked?(result: UnpackResult): void
  verified?(report: SnapshotReport): void
  restored?(result: RestoreResult): void
}

export interface RestoreBackupOptions {
  /** The backup file on this machine, and what its manifest recorded. */
  backup: FetchedBackup
  /** The age key; not needed for a file that is not encrypted. */
  key?: UnpackKey
  /** Accept a snapshot with no sha256 trailer (a copy of a member's member/snap/db), and restore it as such. */
  skipHashCheck?: boolean
  /**
   * Keep the plaintext snapshot at `path` (0600, must not exist): it is made and verified under a temporary name
   * beside it and takes the name only once it is sound. `whenTaken` says how to fix a path that is taken. Without
   * it the snapshot exists only for the restore, in a private dir beside the data dir (a plain snapshot is read
   * where it is), and `created` holds it until the front end removes it.
   */
  output?: { path: string; whenTaken: string }
  /** Restore into a new data dir; without it, unpack and verify only. */
  restore?: DataDirRestore
  /** The start of the one line for a snapshot that fails verification: "the snapshot is not sound, nothing was restored". */
  unsound: string
  /** What this run made; the restored data dir is handed over to the user and leaves it. */
  created?: CreatedPaths
  /** Hears of each path that holds plaintext (a staging dir, the snapshot, a private dir) as soon as it exists. */
  plaintextCreated?: (p: string) => void
  report?: RestoreReporter
}

export interface RestoredBackup {
  /** The verified plaintext snapshot. */
  snapshot: string
  /** What the unpack removed; undefined when a plain snapshot was read where it is. */
  unpacked?: UnpackResult
  report: SnapshotReport
  restored?: RestoreResult
}

/** Unpacks, verifies and (with `restore`) restores a backup file; throws one line on the first failure. */
export async function restoreBackup(
  opts: RestoreBackupOptions & Required<Pick<RestoreBackupOptions, 'output'>>
): Promise<RestoredBackup & { unpacked: UnpackResult }>
export async function restoreBackup(
  opts: RestoreBackupOptions & Required<Pick<RestoreBackupOptions, 'restore'>>
): Promise<RestoredBackup & { restored: RestoreResult }>
export async function restoreBackup(opts: RestoreBackupOptions): Promise<RestoredBackup> {
  const created = opts.created ?? new CreatedPaths()
  const step = <T>(name: RestoreStep, work: () => Promise<T>): Promise<T> =>
    opts.report?.step ? opts.report.step(name, work) : work()
  const madePlaintext = (p: string): void => {
    created.add(p)
    opts.plaintextCreated?.(p)
  }

  // Everything that can refuse does so before the plaintext exists.
  const restore = opts.restore
  const tools = restore
    ? await (async () => {
        inspectDataDirSync(restore.dataDir)
        resolveMembership(restore)
        return resolveTools(restore.tools.etcdctl, restore.tools.etcdutl, restore.tools.etcdutlExplicit)
      })()
    : undefined

  let snapshot: string
  let unpacked: UnpackResult | undefined
  let report: SnapshotReport
  if (opts.output) {
    snapshot = opts.output.path
    ;({ unpacked, report } = await createCheckedFile(
      snapshot,
      async staged => {
        const result = await step('unpack', () => unpack(opts, staged))
        return { unpacked: result, report: await step('verify', () => verify(opts, staged)) }
      },
      { whenTaken: opts.output.whenTaken, created: madePlaintext }
    ))
  } else {
    if (!restore) throw new ConfigurationError('nothing to do: give an output path for the snapshot or a data dir')
    snapshot = opts.backup.backupFile
    if ((await detectFileLayer(opts.backup.backupFile)) !== 'etcd-snapshot') {
      // Beside the data dir: its file system has room for a copy of the snapshot, /tmp may be a small tmpfs.
      const parent = path.dirname(restore.dataDir)
      await fs.mkdir(parent, { recursive: true })
      const tempDir = await makePrivateDir(parent, '.etcd-snapshot-restore-')
      madePlaintext(tempDir)
      snapshot = path.join(tempDir, 'snapshot.db')
      const into = snapshot
      unpacked = await step('unpack', () => unpack(opts, into))
    }
    const verifying = snapshot
    report = await step('verify', () => verify(opts, verifying))
  }

  let restored: RestoreResult | undefined
  if (restore && tools) {
    restored = await step('restore', async () => {
      const result = await restoreSnapshot({
        dataDir: restore.dataDir,
        name: restore.name,
        initialCluster: restore.initialCluster,
        initialAdvertisePeerUrls: restore.initialAdvertisePeerUrls,
        initialClusterToken: restore.initialClusterToken,
        bumpRevision: restore.bumpRevision,
        markCompacted: restore.markCompacted,
        timeoutMs: restore.timeoutMs,
        tools,
        snapshot,
        skipHashCheck: opts.skipHashCheck,
        created: p => created.add(p)
      })
      // The restored data dir is the user's now: neither a later failure nor a post step removes it.
      for (const p of result.created) created.keep(p)
      opts.report?.restored?.(result)
      return result
    })
  }
  return { snapshot, unpacked, report, restored }
}

/** Decrypts and decompresses into `output`, and checks the file against the manifest's sha256. */
async function unpack(opts: RestoreBackupOptions, output: string): Promise<UnpackResult> {
  const result = await unpackBackup({
    input: opts.backup.backupFile,
    output,
    key: opts.key,
    snapshotSize: opts.backup.recorded?.snapshotSize
  })
  const recorded = opts.backup.recorded?.fileSha256
  if (recorded && recorded !== result.inputSha256) {
    throw new VerificationError(
      `${path.basename(opts.backup.backupFile)} has sha256 ${result.inputSha256} but its manifest says ${recorded}: the file changed after the backup; use another backup`
    )
  }
  opts.report?.unpacked?.(result)
  return result
}

/** The native verifier, then what the manifest recorded: the trailer's sha256 and the revision. */
async function verify(opts: RestoreBackupOptions, snapshot: string): Promise<SnapshotReport> {
  const report = await verifySnapshot(snapshot, { skipHashCheck: opts.skipHashCheck })
  if (!report.valid) throw new VerificationError(`${opts.unsound}: ${report.errors[0]}`)
  const recorded = opts.backup.recorded
  if (recorded?.snapshotSha256 && recorded.snapshotSha256 !== report.sha256) {
    throw new VerificationError(
      `the snapshot's sha256 trailer is ${report.sha256} but the manifest recorded ${recorded.snapshotSha256}: this is not the snapshot the backup verified`
    )
  }
  if (recorded?.revision !== undefined && recorded.revision !== report.status.revision) {
    throw new VerificationError(
      `the snapshot holds revision ${report.status.revision} but the manifest recorded ${recorded.revision}: this is not the snapshot the backup verified`
    )
  }
  opts.report?.verified?.(report)
  return report
}
