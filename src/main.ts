import * as core from '@actions/core'
import { promises as fs, rmSync } from 'node:fs'
import * as path from 'node:path'
import { uploadBackup } from './artifact.js'
import { Etcdctl } from './etcd/client.js'
import { prepareAccess } from './etcd/credentials.js'
import { killRunningTools } from './etcd/process.js'
import { chooseMember } from './etcd/select.js'
import { saveSnapshot, toolSnapshotStatus } from './etcd/snapshot.js'
import { resolveTools } from './etcd/tools.js'
import { ArtifactError, errorMessage, OutputError } from './errors.js'
import { getInputs, type BackupSettings } from './inputs.js'
import { compressionExtension } from './pipeline/compress.js'
import { FollowedFile } from './pipeline/follow.js'
import { partialPath, writeBackupFile } from './pipeline/index.js'
import { assertSnapshotAccepted } from './snapshot/acceptance.js'
import { State } from './state.js'
import { buildManifest, formatBytes, writeSummary, type BackupRecord, type UploadRecord } from './summary.js'
import { makePrivateDir } from './tempfiles.js'

/** The backup: choose a member, save, verify, compress and encrypt in one pass, upload, report. */
export async function run(): Promise<void> {
  try {
    const settings = getInputs()
    const privateDir = await makePrivateDir(process.env['RUNNER_TEMP'] || undefined)
    core.saveState(State.PrivateDir, privateDir)
    const leftovers: Leftovers = { privateDir }
    removeOnCancel(leftovers)
    warnAboutChoices(settings)

    const tools = await core.group('Find etcdctl and etcdutl', async () => {
      const found = await resolveTools(settings.etcdctl, settings.etcdutl, settings.etcdutlExplicit)
      core.info(`etcdctl ${found.etcdctl.version} at ${found.etcdctl.path}`)
      core.info(found.etcdutl ? `etcdutl ${found.etcdutl.version} at ${found.etcdutl.path}` : 'etcdutl not found; etcdctl answers snapshot status')
      return found
    })
    const etcdctl = new Etcdctl(tools.etcdctl.path, await prepareAccess(settings.tls, settings, privateDir))

    const choice = await core.group('Choose the etcd member', async () => {
      const picked = await chooseMember(etcdctl, settings.endpoints)
      for (const s of picked.skipped) core.info(`skipped ${s.endpoint}: ${s.why}`)
      const m = picked.member
      core.info(`using ${m.endpoint} (member ${m.memberId}, etcd ${m.version}, revision ${m.revision}): ${picked.reason}`)
      return picked
    })

    const outputDir = path.join(settings.outputDir, settings.artifactName)
    const fileName = `${settings.artifactName}.db${compressionExtension(settings.compression)}${settings.encryption.kind === 'none' ? '' : '.age'}`
    const output = path.join(outputDir, fileName)
    const snapshotFile = path.join(privateDir, 'snapshot.db')
    const { taken, file, status } = await core.group('Take the snapshot, then verify it (compressed and encrypted as it arrives)', async () => {
      await makeOutputDir(outputDir)
      core.saveState(State.OutputFile, output)
      leftovers.output = output
      // The pipeline follows etcdctl's .part file as it grows, so hashing, compression and encryption overlap
      // with etcd streaming the snapshot; etcd's own status reads the finished file while the pipeline drains.
      const saving = saveSnapshot(etcdctl, choice.member, snapshotFile, settings.timeoutMs)
      const source = new FollowedFile({ growing: `${snapshotFile}.part`, final: snapshotFile }, saving)
      const [saved, written, etcdStatus] = await Promise.allSettled([
        saving,
        writeBackupFile({ source, output, ...settings }),
        saving.then(async () => toolSnapshotStatus(tools, snapshotFile))
      ])
      // The save's own failure explains the others (the pipeline and status fail because it did).
      if (saved.status === 'rejected') throw saved.reason
      if (written.status === 'rejected') throw written.reason
      const t = saved.value
      core.info(`saved in ${((t.finishedAt.getTime() - t.startedAt.getTime()) / 1000).toFixed(1)} s (member revision ${t.revisionBefore}..${t.revisionAfter})`)
      try {
        if (etcdStatus.status === 'rejected') throw etcdStatus.reason
        assertSnapshotAccepted({ taken: t, file: written.value, status: etcdStatus.value, minKeys: settings.minKeys })
      } catch (e: unknown) {
        await fs.rm(output, { force: true })
        throw e
      }
      const st = etcdStatus.value
      core.info(`snapshot verified: revision ${st.revision}, ${st.totalKey} keys, sha256 ${written.value.snapshotTrailerSha256}`)
      core.info(`${fileName}: ${formatBytes(written.value.fileSize)} from ${formatBytes(written.value.snapshotSize)}, sha256 ${written.value.fileSha256}`)
      return { taken: t, file: written.value, status: st }
    })

    const record: BackupRecord = {
      artifactName: settings.artifactName,
      fileName,
      compression: settings.compression,
      encryption: settings.encryption,
      member: choice.member,
      memberReason: choice.reason,
      tools,
      taken,
      file,
      status,
      finishedAt: new Date()
    }
    const manifestFile = path.join(outputDir, 'manifest.json')
    await fs.writeFile(manifestFile, `${JSON.stringify(buildManifest(record), null, 2)}\n`, { mode: 0o644, flag: 'wx' })
    setBackupOutputs(record, output)

    let upload: UploadRecord | undefined
    if (settings.upload) {
      upload = await core.group('Upload the artifact', async () => {
        try {
          const done = await uploadBackup({
            name: settings.artifactName,
            files: [output, manifestFile],
            rootDirectory: outputDir,
            retentionDays: settings.retentionDays
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
  }
}

function warnAboutChoices(settings: BackupSettings): void {
  if (settings.encryption.kind === 'none') {
    core.warning('encryption: none — the backup holds every Secret of the cluster in the clear; anyone who can download the artifact can read them')
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
  core.setOutput('etcd-version', record.member.version)
  core.setOutput('endpoint', record.member.endpoint)
  core.setOutput('artifact-name', record.artifactName)
}

/**
 * A cancelled job gets SIGINT then SIGTERM: stop etcdctl and remove the plaintext at once rather than trusting
 * that the post step gets to run. Post removes it again anyway.
 */
interface Leftovers {
  privateDir: string
  output?: string
}

function removeOnCancel(leftovers: Leftovers): void {
  const handler = (signal: NodeJS.Signals): void => {
    killRunningTools()
    rmSync(leftovers.privateDir, { recursive: true, force: true })
    if (leftovers.output) rmSync(partialPath(leftovers.output), { force: true })
    core.setFailed(`cancelled (${signal}); the plaintext snapshot was removed`)
    process.exit(1)
  }
  process.once('SIGINT', handler)
  process.once('SIGTERM', handler)
}
