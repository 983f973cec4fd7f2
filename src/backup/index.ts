import { promises as fs } from 'node:fs'
import * as path from 'node:path'
import { GrpcEtcdClient } from '../etcd/client.js'
import { prepareAccess } from '../etcd/credentials.js'
import { findOrInstallTools } from '../etcd/install.js'
import { errorMessage, OutputError } from '../errors.js'
import { formatBytes } from '../bytes.js'
import { backupFileName, MANIFEST_FILE } from '../format/file-name.js'
import { buildManifest, serializeManifest } from '../format/manifest.js'
import { compareHashKV, EarlyHashKv, membersToAsk } from './cluster-check.js'
import { findEtcdBinary, runRestoreDrill } from './drill.js'
import type { BackupRecord } from './record.js'
import { describeTotalKey } from './save.js'
import { chooseMember } from './select.js'
import type { BackupSettings } from './settings.js'
import { writeVerifiedBackup } from './verified-backup.js'

/** Where the flow reports its progress: log groups and lines in the action, plain lines elsewhere. */
export interface BackupLog {
  /** Runs one phase of the backup under a heading. */
  phase<T>(title: string, work: () => Promise<T>): Promise<T>
  info(line: string): void
  warning(line: string): void
}

/** What this run creates, told to the caller the moment it exists, so a cancel or a failure removes only that. */
export interface BackupScratch {
  /** The 0700 dir for the plaintext snapshot and credential files; the caller made it and removes it. */
  privateDir: string
  /** Called once the backup's own folder exists and before its file is opened. */
  created(outputDir: string, output: string): void
}

export interface FinishedBackup {
  record: BackupRecord
  /** The encrypted (or compressed) backup file, and the manifest beside it in `outputDir`. */
  output: string
  manifestFile: string
  outputDir: string
}

/**
 * The backup, as its phases: find the etcd tools, choose a member, save and gate the snapshot (compressed and
 * encrypted as it streams), compare HashKV with every member, optionally restore it in a drill, write the manifest.
 * Any failure throws, and a backup file that did not pass every check is gone by then.
 */
export async function runBackup(
  settings: BackupSettings,
  log: BackupLog,
  scratch: BackupScratch
): Promise<FinishedBackup> {
  const { privateDir } = scratch
  const tools = await log.phase('Find etcdctl and etcdutl', async () => {
    const { tools: found, installed } = await findOrInstallTools({ ...settings, downloadUrl: settings.etcdDownloadUrl })
    if (installed)
      log.info(
        `etcd ${settings.etcdVersion} ${installed.fromCache ? 'found in the tool cache' : 'downloaded, checked against SHA256SUMS and cached'} at ${installed.dir}`
      )
    log.info(`etcdctl ${found.etcdctl.version} at ${found.etcdctl.path}`)
    log.info(
      found.etcdutl
        ? `etcdutl ${found.etcdutl.version} at ${found.etcdutl.path}`
        : 'etcdutl not found; etcdctl answers snapshot status'
    )
    return found
  })
  // The drill's etcd is looked up before anything is taken, so a missing binary fails fast.
  const etcdServer = settings.restoreDrill ? await findEtcdBinary(settings.etcd) : undefined
  const access = await prepareAccess(settings.tls, settings, privateDir)
  const etcd = new GrpcEtcdClient(access)

  const choice = await log.phase('Choose the etcd member', async () => {
    const picked = await chooseMember(etcd, settings.endpoints)
    for (const s of picked.skipped) log.info(`skipped ${s.endpoint}: ${s.why}`)
    const m = picked.member
    log.info(`using ${m.endpoint} (member ${m.memberId}, etcd ${m.version}, revision ${m.revision}): ${picked.reason}`)
    return picked
  })

  const hashKvAnswers = new EarlyHashKv(etcd)
  const hashKvEndpoints = membersToAsk(
    choice.member.endpoint,
    choice.reachable.map(m => m.endpoint)
  )

  const outputDir = path.join(settings.outputDir, settings.artifactName)
  const fileName = backupFileName(settings.artifactName, settings.compression, settings.encryption)
  const output = path.join(outputDir, fileName)
  const snapshotFile = path.join(privateDir, 'snapshot.db')
  const backup = await log.phase(
    'Take the snapshot, compressing and encrypting it as etcd streams it; verify it',
    async () => {
      await makeOutputDir(outputDir)
      scratch.created(outputDir, output)
      // The members hash their keyspace while the walk reads ours: HashKV is asked as soon as the revision is known.
      const made = await writeVerifiedBackup({
        etcd,
        tools,
        member: choice.member,
        snapshotFile,
        output,
        settings,
        revisionRead: revision => hashKvAnswers.ask(hashKvEndpoints, revision, settings.timeoutMs)
      })
      const { taken: t, file: f, status: st, native } = made
      log.info(
        `streamed, compressed and encrypted in ${((t.finishedAt.getTime() - t.startedAt.getTime()) / 1000).toFixed(1)} s (member revision ${t.revisionBefore}..${t.revisionAfter})`
      )
      log.info(
        `snapshot verified: revision ${st.revision}, ${native.liveKeys} live keys, ${st.totalKey} ${describeTotalKey(st.totalKeyCounts)} (native verifier and ${st.tool} agree), sha256 ${f.snapshotTrailerSha256}`
      )
      log.info(`${fileName}: ${formatBytes(f.fileSize)} from ${formatBytes(f.snapshotSize)}, sha256 ${f.fileSha256}`)
      for (const warning of native.warnings) log.warning(warning)
      return made
    }
  )

  const hashKV = await log.phase('Compare HashKV with every member', async () => {
    const results = await removeOutputOnFailure(output, () =>
      compareHashKV(
        hashKvAnswers,
        choice.member.endpoint,
        hashKvEndpoints,
        snapshotFile,
        backup.native,
        settings.timeoutMs
      )
    )
    for (const r of results) {
      if (r.outcome === 'match')
        log.info(`${r.endpoint}: HashKV ${r.hash} at revision ${backup.native.status.revision} matches the snapshot`)
      else log.warning(`${r.endpoint}: HashKV not compared (${r.outcome}: ${r.detail})`)
    }
    return results
  })

  const drill = etcdServer
    ? await log.phase('Restore drill', async () => {
        const report = await removeOutputOnFailure(output, () =>
          runRestoreDrill({
            tools,
            etcdBinary: etcdServer.path,
            snapshot: snapshotFile,
            expected: {
              revision: backup.status.revision,
              liveKeys: backup.native.liveKeys,
              hashKV: backup.native.hashKV?.hash
            },
            workDir: privateDir,
            credentials: access
          })
        )
        log.info(
          `restored and served by etcd ${report.etcdVersion} in ${(report.durations.total / 1000).toFixed(1)} s: revision ${report.revision}, ${report.liveKeys} live keys, HashKV ${report.hashKV.hash}`
        )
        return report
      })
    : undefined

  const record: BackupRecord = {
    artifactName: settings.artifactName,
    fileName,
    compression: settings.compression,
    encryption: settings.encryption,
    member: choice.member,
    memberReason: choice.reason,
    tools,
    ...backup,
    hashKV,
    drill,
    finishedAt: new Date()
  }
  const manifestFile = path.join(outputDir, MANIFEST_FILE)
  await fs.writeFile(manifestFile, serializeManifest(buildManifest(record)), { mode: 0o644, flag: 'wx' })
  return { record, output, manifestFile, outputDir }
}

/** Runs a check on the finished backup; if it fails, the file goes, so nothing unverified looks like a backup. */
async function removeOutputOnFailure<T>(output: string, check: () => Promise<T>): Promise<T> {
  try {
    return await check()
  } catch (e: unknown) {
    await fs.rm(output, { force: true })
    throw e
  }
}

async function makeOutputDir(dir: string): Promise<void> {
  try {
    await fs.mkdir(dir, { mode: 0o700 })
  } catch (e: unknown) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new OutputError(`${dir} already exists; use a new artifact-name or remove the old backup`)
    }
    throw new OutputError(`cannot create ${dir}: ${errorMessage(e)}`)
  }
}
