import * as core from '@actions/core'
import { promises as fs } from 'node:fs'
import * as path from 'node:path'
import { downloadBackup } from './artifact.js'
import { formatBytes } from '../bytes.js'
import { cleanUpOnCancel } from '../cancel.js'
import type { RestoreResult } from '../restore/data-dir.js'
import { restoreBackup, type RestoreReporter, type RestoreStep } from '../restore/flow.js'
import { fetchS3Backup } from '../restore/s3-source.js'
import { pickBackupFile, type FetchedBackup } from '../restore/source.js'
import { describeTotalKey, type TotalKeyMeaning } from '../backup/save.js'
import { compareVersions, resolveTools } from '../etcd/tools.js'
import { errorMessage } from '../errors.js'
import { plaintextName } from '../format/file-name.js'
import type { UnpackResult } from '../pipeline/unpack.js'
import { getRestoreInputs, Inputs, type RestoreSettings } from './restore-inputs.js'
import { RestoreState } from './restore-post.js'
import type { SnapshotReport } from '../verify/index.js'
import { CreatedPaths, makePrivateDir } from '../tempfiles.js'

/** The restore: download, decrypt and decompress, verify natively, and optionally restore into a data dir. */
export async function run(): Promise<void> {
  // What this run made, recorded once it exists: a failure removes these and nothing that was there before.
  const created = new CreatedPaths()
  // A cancelled job: stop the restore tool, and remove the plaintext and a half-restored data dir at once.
  cleanUpOnCancel(created, signal => core.setFailed(`cancelled (${signal}); the plaintext snapshot was removed`), 1)
  try {
    const settings = getRestoreInputs()
    const privateDir = await makePrivateDir(process.env['RUNNER_TEMP'] || undefined, 'etcd-restore-')
    created.add(privateDir)
    core.saveState(RestoreState.PrivateDir, privateDir)

    const backup = await core.group('Download the backup', () => fetchBackup(settings, privateDir))
    const { backupFile } = backup

    const snapshotFile = path.join(settings.outputDir, plaintextName(path.basename(backupFile)))
    // The plaintext is made and verified under a temporary name; only a sound snapshot takes snapshotFile, and a
    // file or directory already at that path is refused and left as it was.
    const { unpacked, report, restored } = await restoreBackup({
      backup,
      key: settings.key,
      skipHashCheck: settings.skipHashCheck,
      output: { path: snapshotFile, whenTaken: `remove it or set ${Inputs.OutputDir} to another directory` },
      restore: settings.restore && { ...settings.restore, tools: settings.tools },
      unsound: 'the decrypted snapshot is not sound',
      created,
      plaintextCreated: p =>
        core.saveState(p === snapshotFile ? RestoreState.SnapshotFile : RestoreState.StagingDir, p),
      report: actionReporter(backupFile, snapshotFile, settings)
    })

    const meaning = await totalKeyMeaning(settings, restored)
    setOutputs(snapshotFile, report, restored, meaning)
    await writeRestoreSummary(settings, path.basename(backupFile), unpacked, report, restored, meaning)
  } catch (e: unknown) {
    core.setFailed(errorMessage(e))
    // A failed restore leaves no plaintext behind, even before the post step runs; only what this run made goes.
    await created.removeAll().catch((removal: unknown) => {
      core.warning(`could not remove what this run made: ${errorMessage(removal)}; the post step tries again`)
    })
  }
}

/** The backup file and its manifest's facts, downloaded into the private dir from the artifact or the S3 object. */
async function fetchBackup(settings: RestoreSettings, privateDir: string): Promise<FetchedBackup> {
  const into = path.join(privateDir, 'download')
  const source = settings.source
  if ('s3' in source) {
    await fs.mkdir(into, { mode: 0o700 })
    const got = await fetchS3Backup(source.s3, into, why => core.warning(`manifest.json ${why}`))
    const version = got.object.versionId ? ` (version ${got.object.versionId})` : ''
    core.info(
      `downloaded ${source.s3.uri}${version}: ${formatBytes(got.object.size)}, sha256 ${got.object.sha256} (matches the store's checksum)${got.manifest ? ', and its manifest.json' : ''}`
    )
    return got
  }
  const what = 'name' in source.artifact ? `artifact "${source.artifact.name}"` : `artifact ${source.artifact.id}`
  const downloaded = await downloadBackup({
    ...source.artifact,
    runId: settings.runId,
    token: settings.githubToken,
    repository: settings.repository,
    path: into
  })
  core.info(`downloaded ${what} (id ${downloaded.id}): ${downloaded.files.map(f => path.basename(f)).join(', ')}`)
  return pickBackupFile(downloaded.files, downloaded.path, why =>
    core.warning(`manifest.json in the artifact ${why}; ignoring it`)
  )
}

const GROUPS: Record<RestoreStep, (settings: RestoreSettings) => string> = {
  unpack: () => 'Decrypt and decompress',
  verify: () => 'Verify the snapshot',
  restore: settings => `Restore into ${settings.restore?.dataDir}`
}

/** The flow's steps as log groups, and what each found as log lines and warnings. */
function actionReporter(backupFile: string, snapshotFile: string, settings: RestoreSettings): RestoreReporter {
  const name = path.basename(backupFile)
  return {
    step: (step, work) => core.group(GROUPS[step](settings), work),
    unpacked: result => {
      if (!result.layers.includes('age')) {
        core.warning(`${name} was not encrypted: anyone who could download the artifact could read every Secret in it`)
      }
      core.info(
        `${name} (${result.layers.join(' + ') || 'plain'}) → ${snapshotFile}, ${formatBytes(result.outputSize)}`
      )
    },
    verified: report => {
      for (const w of report.warnings) core.warning(w)
      core.info(`valid: revision ${report.status.revision}, ${report.liveKeys} live keys, sha256 ${report.sha256}`)
    },
    restored: result => {
      for (const w of result.warnings) core.warning(w)
      core.info(
        `${result.tool.name} ${result.tool.version} restored member ${result.name} (${result.initialAdvertisePeerUrls}) in ${(result.durationMs / 1000).toFixed(1)} s` +
          (result.bumpedBy ? `; revision bumped by ${result.bumpedBy} and marked compacted` : '')
      )
    }
  }
}

/**
 * What total-keys counts, as the backup action reports it with the same etcd release: etcdutl 3.6's snapshot status
 * counts live keys, earlier releases every bolt entry. The release is the restore tool's, else the runner's etcd tools
 * (bolt entries when there are none).
 */
async function totalKeyMeaning(
  settings: RestoreSettings,
  restored: RestoreResult | undefined
): Promise<TotalKeyMeaning> {
  let version = restored?.tool.version
  if (version === undefined) {
    try {
      const tools = await resolveTools(settings.tools.etcdctl, settings.tools.etcdutl, settings.tools.etcdutlExplicit)
      version = tools.etcdutl?.version ?? tools.etcdctl.version
    } catch {
      return 'bolt-entries'
    }
  }
  return compareVersions(version, '3.6.0') >= 0 ? 'live-keys' : 'bolt-entries'
}

function totalKeys(report: SnapshotReport, meaning: TotalKeyMeaning): number {
  return meaning === 'live-keys' ? report.liveKeys : report.status.totalKey
}

function setOutputs(
  snapshotFile: string,
  report: SnapshotReport,
  restored: RestoreResult | undefined,
  meaning: TotalKeyMeaning
): void {
  core.setOutput('snapshot-file', snapshotFile)
  core.setOutput('snapshot-sha256', report.sha256)
  core.setOutput('revision', report.status.revision)
  core.setOutput('total-keys', totalKeys(report, meaning))
  core.setOutput('live-keys', report.liveKeys)
  core.setOutput('hash', report.status.hash)
  if (report.hashKV) core.setOutput('hashkv', report.hashKV.hash)
  core.setOutput('data-dir', restored?.dataDir ?? '')
  core.setOutput('warnings', (restored?.warnings ?? []).join('\n'))
}

async function writeRestoreSummary(
  settings: RestoreSettings,
  fileName: string,
  unpacked: UnpackResult,
  report: SnapshotReport,
  restored: RestoreResult | undefined,
  meaning: TotalKeyMeaning
): Promise<void> {
  if (!process.env['GITHUB_STEP_SUMMARY']) return
  const rows: Array<[string, string]> = [
    ['Backup file', `${fileName} (${unpacked.layers.join(' + ') || 'plain'}), ${formatBytes(unpacked.inputSize)}`],
    ['Revision', String(report.status.revision)],
    ['Live keys / total keys', `${report.liveKeys} / ${totalKeys(report, meaning)} (${describeTotalKey(meaning)})`],
    ['Snapshot sha256 (verified)', report.sha256],
    ['Status hash', String(report.status.hash)]
  ]
  if (restored) {
    rows.push(['Data dir', restored.dataDir])
    rows.push(['Member', `${restored.name} (${restored.initialAdvertisePeerUrls}); cluster ${restored.initialCluster}`])
    rows.push(['Restored with', `${restored.tool.name} ${restored.tool.version}`])
    rows.push([
      'Revision bump',
      restored.bumpedBy
        ? `+${restored.bumpedBy}, marked compacted`
        : settings.restore?.bumpRevision
          ? 'not supported by the tool (see warnings)'
          : 'off'
    ])
  } else {
    rows.push(['Data dir', 'none (decrypt and verify only; the plaintext snapshot is removed at the end of the job)'])
  }
  const escape = (t: string): string => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
  const summary = core.summary.addHeading('etcd snapshot: restored and verified', 3).addTable([
    [
      { data: 'What', header: true },
      { data: 'Value', header: true }
    ],
    ...rows.map(([k, v]) => [k, escape(v)])
  ])
  for (const w of restored?.warnings ?? []) summary.addRaw(`⚠️ ${escape(w)}`, true)
  await summary.write()
}
