import * as core from '@actions/core'
import { existsSync, promises as fs, rmSync } from 'node:fs'
import * as path from 'node:path'
import { Etcdctl } from '../etcd/client.js'
import { prepareAccess } from '../etcd/credentials.js'
import { killRunningTools } from '../etcd/process.js'
import { chooseMember } from '../backup/select.js'
import { runRestoreDrill, findEtcdBinary } from '../backup/drill.js'
import { describeTotalKey } from '../backup/save.js'
import { findOrInstallTools } from '../etcd/install.js'
import { ArtifactError, errorMessage, OutputError } from '../errors.js'
import { getInputs, type BackupSettings } from './inputs.js'
import { compressionExtension } from '../pipeline/compress.js'
import { partialPath } from '../pipeline/index.js'
import { compareHashKV, EarlyHashKv, membersToAsk } from '../backup/cluster-check.js'
import { sharedOutputDirWarning } from './output-dir.js'
import { State } from './state.js'
import { buildManifest, formatBytes, writeSummary, type BackupRecord, type UploadRecord } from './summary.js'
import { makePrivateDir } from '../tempfiles.js'
import { writeVerifiedBackup } from '../backup/verified-backup.js'

/** The backup: choose a member, save, verify, compress and encrypt in one pass, upload, report. */
export async function run(): Promise<void> {
  const leftovers: Leftovers = {}
  try {
    const settings = getInputs()
    const privateDir = await makePrivateDir(process.env['RUNNER_TEMP'] || undefined)
    core.saveState(State.PrivateDir, privateDir)
    leftovers.privateDir = privateDir
    removeOnCancel(leftovers)
    warnAboutChoices(settings)

    const tools = await core.group('Find etcdctl and etcdutl', async () => {
      const { tools: found, installed } = await findOrInstallTools({ ...settings, downloadUrl: settings.etcdDownloadUrl })
      if (installed) core.info(`etcd ${settings.etcdVersion} ${installed.fromCache ? 'found in the tool cache' : 'downloaded, checked against SHA256SUMS and cached'} at ${installed.dir}`)
      core.info(`etcdctl ${found.etcdctl.version} at ${found.etcdctl.path}`)
      core.info(found.etcdutl ? `etcdutl ${found.etcdutl.version} at ${found.etcdutl.path}` : 'etcdutl not found; etcdctl answers snapshot status')
      return found
    })
    // The drill's etcd is looked up before anything is taken, so a missing binary fails fast.
    const etcdServer = settings.restoreDrill ? await findEtcdBinary(settings.etcd) : undefined
    const access = await prepareAccess(settings.tls, settings, privateDir)
    const etcdctl = new Etcdctl(tools.etcdctl.path, access)

    const choice = await core.group('Choose the etcd member', async () => {
      const picked = await chooseMember(etcdctl, settings.endpoints)
      for (const s of picked.skipped) core.info(`skipped ${s.endpoint}: ${s.why}`)
      const m = picked.member
      core.info(`using ${m.endpoint} (member ${m.memberId}, etcd ${m.version}, revision ${m.revision}): ${picked.reason}`)
      return picked
    })

    const hashKvAnswers = new EarlyHashKv(etcdctl)
    const hashKvEndpoints = membersToAsk(choice.member.endpoint, choice.reachable.map(m => m.endpoint))

    const outputDir = path.join(settings.outputDir, settings.artifactName)
    const fileName = `${settings.artifactName}.db${compressionExtension(settings.compression)}${settings.encryption.kind === 'none' ? '' : '.age'}`
    const output = path.join(outputDir, fileName)
    const snapshotFile = path.join(privateDir, 'snapshot.db')
    const backup = await core.group('Take the snapshot, compressing and encrypting it as etcd streams it; verify it', async () => {
      await makeOutputDir(outputDir)
      leftovers.outputDir = outputDir
      core.saveState(State.OutputFile, output)
      leftovers.output = output
      // The members hash their keyspace while the walk reads ours: HashKV is asked as soon as the revision is known.
      const made = await writeVerifiedBackup({
        etcdctl,
        access,
        tools,
        member: choice.member,
        snapshotFile,
        output,
        settings,
        revisionRead: revision => hashKvAnswers.ask(hashKvEndpoints, revision, settings.timeoutMs)
      })
      const { taken: t, file: f, status: st, native } = made
      core.info(`streamed, compressed and encrypted in ${((t.finishedAt.getTime() - t.startedAt.getTime()) / 1000).toFixed(1)} s (member revision ${t.revisionBefore}..${t.revisionAfter})`)
      core.info(
        `snapshot verified: revision ${st.revision}, ${native.liveKeys} live keys, ${st.totalKey} ${describeTotalKey(st.totalKeyCounts)} (native verifier and ${st.tool} agree), sha256 ${f.snapshotTrailerSha256}`
      )
      core.info(`${fileName}: ${formatBytes(f.fileSize)} from ${formatBytes(f.snapshotSize)}, sha256 ${f.fileSha256}`)
      for (const warning of native.warnings) core.warning(warning)
      return made
    })

    const hashKV = await core.group('Compare HashKV with every member', async () => {
      const results = await removeOutputOnFailure(output, () =>
        compareHashKV(hashKvAnswers, choice.member.endpoint, hashKvEndpoints, snapshotFile, backup.native, settings.timeoutMs)
      )
      for (const r of results) {
        if (r.outcome === 'match') core.info(`${r.endpoint}: HashKV ${r.hash} at revision ${backup.native.status.revision} matches the snapshot`)
        else core.warning(`${r.endpoint}: HashKV not compared (${r.outcome}: ${r.detail})`)
      }
      return results
    })

    const drill = etcdServer
      ? await core.group('Restore drill', async () => {
          const report = await removeOutputOnFailure(output, () =>
            runRestoreDrill({
              tools,
              etcdBinary: etcdServer.path,
              snapshot: snapshotFile,
              expected: { revision: backup.status.revision, liveKeys: backup.native.liveKeys, hashKV: backup.native.hashKV?.hash },
              workDir: privateDir,
              credentials: access
            })
          )
          core.info(`restored and served by etcd ${report.etcdVersion} in ${(report.durations.total / 1000).toFixed(1)} s: revision ${report.revision}, ${report.liveKeys} live keys, HashKV ${report.hashKV.hash}`)
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
    const manifestFile = path.join(outputDir, 'manifest.json')
    await fs.writeFile(manifestFile, `${JSON.stringify(buildManifest(record), null, 2)}\n`, { mode: 0o644, flag: 'wx' })
    setBackupOutputs(record, output)

    let upload: UploadRecord | undefined
    if (settings.upload) {
      upload = await core.group('Upload the artifact', async () => {
        try {
          // Loaded only now: the artifact client is most of the bundle and ~25 MiB of memory that the snapshot, the
          // pipeline and the structure walk are better off without (and `upload: false` never needs).
          const { uploadBackup } = await import('./artifact.js')
          const done = await uploadBackup({
            name: settings.artifactName,
            files: [output, manifestFile],
            rootDirectory: outputDir,
            retentionDays: settings.retentionDays,
            timeoutMs: settings.uploadTimeoutMs
          })
          core.info(`artifact ${settings.artifactName} (id ${done.id}, ${formatBytes(done.size)}): ${done.url}`)
          return done
        } catch (e: unknown) {
          throw new ArtifactError(`${errorMessage(e)}; the encrypted backup is kept at ${output}`)
        }
      })
      core.setOutput('artifact-id', upload.id)
      core.setOutput('artifact-url', upload.url)
    }
    record.finishedAt = new Date()
    await writeSummary(record, upload)
  } catch (e: unknown) {
    core.setFailed(errorMessage(e))
    // A HashKV asked early may still be running when the backup fails: nothing this run started outlives its verdict.
    killRunningTools()
    await removeUnfinishedOutput(leftovers)
  } finally {
    // The artifact client cannot be cancelled: a request still hanging after upload-timeout would hold the step open
    // until the job's own timeout. Once the verdict is given, nothing left running may delay it.
    setTimeout(() => process.exit(), 2_000).unref()
  }
}

function warnAboutChoices(settings: BackupSettings): void {
  if (settings.encryption.kind === 'none') {
    core.warning('encryption: none — the backup holds every Secret of the cluster in the clear; anyone who can download the artifact can read them')
  }
  const shared = sharedOutputDirWarning(settings.outputDir)
  if (shared) core.warning(shared)
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

function setBackupOutputs(record: BackupRecord, output: string): void {
  core.setOutput('snapshot-file', output)
  core.setOutput('file-sha256', record.file.fileSha256)
  core.setOutput('snapshot-sha256', record.file.snapshotTrailerSha256)
  core.setOutput('revision', record.status.revision)
  core.setOutput('total-keys', record.status.totalKey)
  core.setOutput('total-size', record.status.totalSize)
  core.setOutput('hash', record.status.hash)
  core.setOutput('live-keys', record.native.liveKeys)
  core.setOutput('hashkv', record.native.hashKV?.hash ?? '')
  core.setOutput('etcd-version', record.member.version)
  core.setOutput('endpoint', record.member.endpoint)
  core.setOutput('artifact-name', record.artifactName)
}

/**
 * A cancelled job gets SIGINT then SIGTERM: stop etcdctl and remove the plaintext at once rather than trusting
 * that the post step gets to run. Post removes it again anyway.
 */
interface Leftovers {
  privateDir?: string
  /** The backup's folder, which this run created. */
  outputDir?: string
  output?: string
}

/**
 * After a failure with no backup file to keep, the backup's folder goes too, so a rerun with the same artifact-name
 * is not refused for a folder that holds nothing. A backup file that was made (an upload failed) stays.
 */
async function removeUnfinishedOutput(leftovers: Leftovers): Promise<void> {
  if (!leftovers.outputDir || (leftovers.output && existsSync(leftovers.output))) return
  await fs.rm(leftovers.outputDir, { recursive: true, force: true })
}

function removeOnCancel(leftovers: Leftovers): void {
  const handler = (signal: NodeJS.Signals): void => {
    killRunningTools()
    if (leftovers.privateDir) rmSync(leftovers.privateDir, { recursive: true, force: true })
    if (leftovers.output) rmSync(partialPath(leftovers.output), { force: true })
    core.setFailed(`cancelled (${signal}); the plaintext snapshot was removed`)
    process.exit(1)
  }
  process.once('SIGINT', handler)
  process.once('SIGTERM', handler)
}
