/**
 * The restore action, run as a runner runs it, against artifacts that expand past what they declare: a zstd bomb
 * behind a real snapshot (made with the public `zstd` and `age` CLIs and uploaded with the real client) stops at the
 * size manifest.json records, in one line, with no plaintext left in the output dir or RUNNER_TEMP.
 */
import { execFileSync, execSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ROOT, runStep, type ActionRun } from '../harness/action-runner.js'
import { startArtifactService, type ArtifactService } from '../harness/artifact-service.js'
import { startEtcd, stopAll } from '../harness/etcd.js'
import { seedKubernetes } from '../harness/seed.js'
import { saveSnapshot } from '../harness/snapshots.js'

const RESTORE_YML = join(ROOT, 'restore', 'action.yml')

let dir: string
let service: ArtifactService
let original: Buffer
let identity: string
let recipient: string

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'restore-bombs-test-'))
  const member = await startEtcd()
  await seedKubernetes(member, { objects: 100, seed: 41 })
  const snapshot = join(dir, 'snapshot.db')
  await saveSnapshot(member, snapshot)
  await member.stop()
  original = readFileSync(snapshot)
  service = await startArtifactService()
  const keyFile = join(dir, 'key.txt')
  execFileSync('age-keygen', ['-o', keyFile], { stdio: 'ignore' })
  identity = readFileSync(keyFile, 'utf8')
  recipient = execFileSync('age-keygen', ['-y', keyFile], { encoding: 'utf8' }).trim()
})

afterAll(async () => {
  await service?.stop()
  await stopAll()
  rmSync(dir, { recursive: true, force: true })
})

/** Uploads a backup file and its manifest as an artifact of the primary run, with the real client. */
async function uploadArtifact(name: string, fileName: string, data: Buffer, snapshotSize: number): Promise<void> {
  const folder = mkdtempSync(join(dir, 'upload-'))
  writeFileSync(join(folder, fileName), data)
  writeFileSync(
    join(folder, 'manifest.json'),
    JSON.stringify({ file: { name: fileName }, snapshot: { size: snapshotSize } })
  )
  const saved = { ...process.env }
  const write = process.stdout.write
  Object.assign(process.env, service.newJobEnv())
  // The client logs through @actions/core, which writes workflow commands to stdout; keep the test output readable.
  process.stdout.write = (() => true) as typeof process.stdout.write
  try {
    const { uploadBackup } = await import('../../src/action/artifact.js')
    await uploadBackup({
      name,
      files: [join(folder, fileName), join(folder, 'manifest.json')],
      rootDirectory: folder
    })
  } finally {
    process.stdout.write = write
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key]
    Object.assign(process.env, saved)
  }
}

async function restore(artifactName: string): Promise<{ main: ActionRun; runnerTemp: string; outputDir: string }> {
  const runnerTemp = mkdtempSync(join(dir, 'runner-'))
  const outputDir = mkdtempSync(join(dir, 'out-'))
  const main = await runStep('restore', {
    inputs: { 'artifact-name': artifactName, identity, 'output-dir': outputDir },
    env: service.newJobEnv(),
    runnerTemp,
    actionYml: RESTORE_YML,
    from: 'src'
  })
  return { main, runnerTemp, outputDir }
}

const zstd = (data: Buffer): Buffer => execFileSync('zstd', ['-q', '-c'], { input: data, maxBuffer: 64 << 20 })
const encrypt = (data: Buffer): Buffer => execFileSync('age', ['-r', recipient], { input: data, maxBuffer: 64 << 20 })

/** What is left under `folder` besides the runner's command files (output-*, state-*, summary-*). */
function leftIn(folder: string): string[] {
  return (readdirSync(folder, { recursive: true }) as string[]).filter(f => !/^(output|state|summary)-/.test(f))
}

describe('restore action against an artifact that expands past what it declares', () => {
  it('a 2 GiB zstd bomb behind a real snapshot stops at the size manifest.json records; no plaintext stays', async () => {
    const frame = execSync('head -c 268435456 /dev/zero | zstd -c -19', { maxBuffer: 64 << 20 })
    const bomb = encrypt(Buffer.concat([zstd(original), ...Array.from({ length: 8 }, () => frame)]))
    // The manifest records a size one page short of the one the snapshot declares: the smaller bound wins.
    const recorded = original.length - 4096
    await uploadArtifact('bomb', 'bomb.db.zst.age', bomb, recorded)
    const { main, runnerTemp, outputDir } = await restore('bomb')
    expect(main.code).toBe(1)
    expect(main.error).toBe(
      `bomb.db.zst.age: the unpacked snapshot grows past the ${recorded} bytes its manifest records; stopped and removed (a decompression bomb or a damaged backup); use another backup`
    )
    expect(readdirSync(outputDir)).toEqual([])
    expect(leftIn(runnerTemp)).toEqual([])
  })
})
