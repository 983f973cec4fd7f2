/** The backup's work runs in a second node with a small young generation, unless the user chose one. */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from '@jest/globals'

const repo = fileURLToPath(new URL('../../..', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'launcher-test-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** A script whose work prints where it ran and sets the exit code. */
const script = join(dir, 'work.mts')
writeFileSync(
  script,
  `import { runWithSmallYoungGeneration } from ${JSON.stringify(join(repo, 'src/action/launcher.ts'))}
await runWithSmallYoungGeneration(async () => {
  console.log(JSON.stringify({ pid: process.pid, ppid: process.ppid, execArgv: process.execArgv }))
  process.exitCode = 3
})
`
)

function run(nodeOptions: string): {
  pid: number
  code: number | null
  work: { pid: number; ppid: number; execArgv: string[] }
} {
  const r = spawnSync(process.execPath, ['--import', 'tsx', script], {
    cwd: repo,
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: nodeOptions },
    timeout: 60_000
  })
  return { pid: r.pid, code: r.status, work: JSON.parse(r.stdout) as { pid: number; ppid: number; execArgv: string[] } }
}

describe('runWithSmallYoungGeneration', () => {
  it("runs the work in a child node started with --max-semi-space-size=1, and exits with the work's code", () => {
    const r = run('')
    expect(r.work.ppid).toBe(r.pid)
    expect(r.work.execArgv).toContain('--max-semi-space-size=1')
    expect(r.code).toBe(3)
  })

  it('runs the work in this node when the user chose a semi-space size in NODE_OPTIONS', () => {
    const r = run('--max-semi-space-size=2')
    expect(r.work.pid).toBe(r.pid)
    expect(r.work.execArgv).not.toContain('--max-semi-space-size=1')
    expect(r.code).toBe(3)
  })
})
