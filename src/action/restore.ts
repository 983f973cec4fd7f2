import * as core from '@actions/core'
import { promises as fs } from 'node:fs'
import * as path from 'node:path'
import { downloadBackup } from './artifact.js'
import { killRunningTools } from '../etcd/process.js'
import { restoreSnapshot, type RestoreResult } from '../restore/data-dir.js'
import { describeTotalKey, type TotalKeyMeaning } from '../backup/save.js'
import { compareVersions, resolveTools } from '../etcd/tools.js'
import { ConfigurationError, errorMessage, VerificationError } from '../errors.js'
import { plaintextName, unpackBackup, type UnpackResult } from '../pipeline/unpack.js'
import { getRestoreInputs, Inputs, type RestoreSettings } from './restore-inputs.js'
import { RestoreState } from './restore-post.js'
import { verifySnapshot, type SnapshotReport } from '../verify/index.js'
import { formatBytes } from './summary.js'
import { createCheckedFile, CreatedPaths, makePrivateDir } from '../tempfiles.js'

/** The non-secret facts the backup action stores next to the file (see buildManifest). */
interface Manifest {
  file?: { name?: string; sha256?: string }
  snapshot?: { size?: number; sha256?: string; revision?: number }
}

/** The restore: download, decrypt and decompress, verify natively, and optionally restore into a data dir. */
export async function run(): Promise<void> {
  // What this run made, recorded once it exists: a failure removes these and nothing that was there before.
  const created = new CreatedPaths()
  removeOnCancel(created)
  try {
    const settings = getRestoreInputs()
    const privateDir = await makePrivateDir(process.env['RUNNER_TEMP'] || undefined, 'etcd-restore-')
    created.add(privateDir)
    core.saveState(RestoreState.PrivateDir, privateDir)

    const downloaded = await core.group('Download the backup', async () => {
      const what =
        'name' in settings.artifact ? `artifact "${settings.artifact.name}"` : `artifact ${settings.artifact.id}`
      const got = await downloadBackup({
        ...settings.artifact,
        runId: settings.runId,
        token: settings.githubToken,
        repository: settings.repository,
        path: path.join(privateDir, 'download')
      })
      core.info(`downloaded ${what} (id ${got.id}): ${got.files.map(f => path.basename(f)).join(', ')}`)
      return got
    })
    const { file: backupFile, manifest } = await pickBackupFile(downloaded.files, downloaded.path)

    const snapshotFile = path.join(settings.outputDir, plaintextName(path.basename(backupFile)))
    // The plaintext is made and verified under a temporary name; only a sound snapshot takes snapshotFile, and a
    // file or directory already at that path is refused and left as it was.
    const { unpacked, report } = await createCheckedFile(
      snapshotFile,
      staged => unpackAndVerify(backupFile, staged, snapshotFile, settings, manifest),
      {
        whenTaken: `remove it or set ${Inputs.OutputDir} to another directory`,
        created: p => {
          created.add(p)
          core.saveState(p === snapshotFile ? RestoreState.SnapshotFile : RestoreState.StagingDir, p)
        }
      }
    )

    let restored: RestoreResult | undefined
    if (settings.restore) {
      const restore = settings.restore
      restored = await core.group(`Restore into ${restore.dataDir}`, async () => {
        const tools = await resolveTools(settings.etcdctl, settings.etcdutl, settings.etcdutlExplicit)
        const result = await restoreSnapshot({
          tools,
          snapshot: snapshotFile,
          ...restore,
          skipHashCheck: settings.skipHashCheck,
          created: p => created.add(p)
        })
        // The restored data dir is the user's now: neither a later failure nor the post step removes it.
        for (const p of result.created) created.keep(p)
        for (const w of result.warnings) core.warning(w)
        core.info(
          `${result.tool.name} ${result.tool.version} restored member ${result.name} (${result.initialAdvertisePeerUrls}) in ${(result.durationMs / 1000).toFixed(1)} s` +
            (result.bumpedBy ? `; revision bumped by ${result.bumpedBy} and marked compacted` : '')
        )
        return result
      })
    }

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

/** Decrypts and decompresses the backup into `staged` and verifies it against the manifest. */
async function unpackAndVerify(
  backupFile: string,
  staged: string,
  snapshotFile: string,
  settings: RestoreSettings,
  manifest: Manifest | undefined
): Promise<{ unpacked: UnpackResult; report: SnapshotReport }> {
  const unpacked = await core.group('Decrypt and decompress', async () => {
    const result = await unpackBackup({
      input: backupFile,
      output: staged,
      key: settings.key,
      snapshotSize: manifest?.snapshot?.size
    })
    if (!result.layers.includes('age')) {
      core.warning(
        `${path.basename(backupFile)} was not encrypted: anyone who could download the artifact could read every Secret in it`
      )
    }
    if (manifest?.file?.sha256 && manifest.file.sha256 !== result.inputSha256) {
      throw new VerificationError(
        `${path.basename(backupFile)} has sha256 ${result.inputSha256} but its manifest says ${manifest.file.sha256}: the file changed after the backup; use another backup`
      )
    }
    core.info(
      `${path.basename(backupFile)} (${result.layers.join(' + ') || 'plain'}) → ${snapshotFile}, ${formatBytes(result.outputSize)}`
    )
    return result
  })

  const report = await core.group('Verify the snapshot', async () => {
    const verified = await verifySnapshot(staged, { skipHashCheck: settings.skipHashCheck })
    if (!verified.valid) throw new VerificationError(`the decrypted snapshot is not sound: ${verified.errors[0]}`)
    checkAgainstManifest(verified, manifest)
    for (const w of verified.warnings) core.warning(w)
    core.info(`valid: revision ${verified.status.revision}, ${verified.liveKeys} live keys, sha256 ${verified.sha256}`)
    return verified
  })

  return { unpacked, report }
}

/**
 * The backup file in a downloaded artifact: the one the manifest names, else the only file that is not the manifest.
 * The backup action puts both at the artifact's top level; only a manifest.json there counts, and an artifact that
 * holds another one anywhere is refused rather than guessing which one describes the backup.
 */
async function pickBackupFile(files: string[], root: string): Promise<{ file: string; manifest?: Manifest }> {
  const manifests = files.filter(f => path.basename(f) === 'manifest.json')
  const manifestFile = manifests.find(f => path.resolve(f) === path.resolve(root, 'manifest.json'))
  if (manifests.length > (manifestFile ? 1 : 0)) {
    const listed = manifests.map(f => path.relative(root, f)).join(', ')
    throw new VerificationError(
      `the artifact holds ${manifests.length === 1 ? 'a manifest.json below its top level' : `${manifests.length} manifest.json files`} (${listed}); a backup made by etcd-snapshot-action has one, at the top: use the artifact the backup step uploaded`
    )
  }
  let manifest: Manifest | undefined
  if (manifestFile) {
    try {
      manifest = JSON.parse(await fs.readFile(manifestFile, 'utf8')) as Manifest
    } catch {
      core.warning('manifest.json in the artifact is not valid JSON; ignoring it')
    }
  }
  const candidates = files.filter(f => f !== manifestFile)
  const named = manifest?.file?.name ? candidates.find(f => path.basename(f) === manifest!.file!.name) : undefined
  if (named) return { file: named, manifest }
  const backups = candidates.filter(f => /\.db(\.zst|\.gz)?(\.age)?$/.test(f))
  const pick = candidates.length === 1 ? candidates : backups
  if (pick.length !== 1) {
    const listed =
      candidates
        .map(f => path.basename(f))
        .slice(0, 5)
        .join(', ') || 'nothing'
    throw new ConfigurationError(
      `the artifact holds ${listed}; expected one backup file (<name>.db[.zst|.gz][.age]) made by etcd-snapshot-action`
    )
  }
  return { file: pick[0]!, manifest }
}

function checkAgainstManifest(report: SnapshotReport, manifest: Manifest | undefined): void {
  const expected = manifest?.snapshot
  if (!expected) return
  if (expected.sha256 && expected.sha256 !== report.sha256) {
    throw new VerificationError(
      `the snapshot's sha256 trailer is ${report.sha256} but the manifest recorded ${expected.sha256}: this is not the snapshot the backup verified`
    )
  }
  if (typeof expected.revision === 'number' && expected.revision !== report.status.revision) {
    throw new VerificationError(
      `the snapshot holds revision ${report.status.revision} but the manifest recorded ${expected.revision}: this is not the snapshot the backup verified`
    )
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
      const tools = await resolveTools(settings.etcdctl, settings.etcdutl, settings.etcdutlExplicit)
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

/** A cancelled job: stop the restore tool, and remove the plaintext and a half-restored data dir at once. */
function removeOnCancel(created: CreatedPaths): void {
  const handler = (signal: NodeJS.Signals): void => {
    killRunningTools()
    created.removeAllSync()
    core.setFailed(`cancelled (${signal}); the plaintext snapshot was removed`)
    process.exit(1)
  }
  process.once('SIGINT', handler)
  process.once('SIGTERM', handler)
}
