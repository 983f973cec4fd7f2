/**
 * Faults while the snapshot is being taken, against the real parts: a TLS etcd 3.4 member holding ~150 MB of
 * Kubernetes-shaped data (so `snapshot save` takes long enough to be interrupted), the real etcdctl, the action run as
 * a runner runs it, and the artifact service emulator. Every test shows what is left on disk and in the service.
 */
import { execFileSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runAction, type ActionRun } from '../harness/action-runner.js'
import { startArtifactService, type ArtifactService } from '../harness/artifact-service.js'
import { SNAPSHOT_TOOL_BIN, startEtcd, stopAll, type EtcdMember } from '../harness/etcd.js'
import {
  childProcesses,
  filesUnder,
  growingSnapshot,
  processesMatching,
  sizeOf,
  throttleUntil,
  waitFor,
  type ProcessInfo
} from '../harness/faults.js'
import { makePki, type Pki } from '../harness/pki.js'
import { SecretScan } from '../harness/secrets.js'
import { seedKubernetes } from '../harness/seed.js'

const SNAPSHOT_BYTES = 150_000_000
/** How long the action may take to reach the save (tools, endpoint status) on a loaded runner. */
const SAVE_START_MS = 120_000

let dir: string
let pki: Pki
let member: EtcdMember
let service: ArtifactService
let recipient: string
const secrets = new SecretScan()
const mounts: string[] = []

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hardening-faults-'))
  pki = await makePki(join(dir, 'pki'))
  member = await startEtcd({ pki })
  // 1500 values of 100 kB: a ~150 MB snapshot, which etcdctl takes ~0.7 s to save here.
  await seedKubernetes(member, { objects: 1500, seed: 11, valueSize: 100_000, resources: ['configmaps'] })
  service = await startArtifactService()
  const identityFile = join(dir, 'key.txt')
  execFileSync('age-keygen', ['-o', identityFile], { stdio: 'ignore' })
  recipient = execFileSync('age-keygen', ['-y', identityFile], { encoding: 'utf8' }).trim()
  secrets.addPki(pki).addAgeIdentities('age identity', identityFile)
})

afterAll(async () => {
  for (const m of mounts) spawnQuiet('umount', [m])
  await service?.stop()
  await stopAll()
  rmSync(dir, { recursive: true, force: true })
})

/** Searches a run for secrets as soon as it ends: each test checks its own runs, so each can run alone. */
function scanRun(name: string, run: ActionRun): void {
  secrets.expectClean({ runs: { [name]: run } })
}

function spawnQuiet(cmd: string, args: string[]): void {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' })
  } catch {
    // best effort in cleanup
  }
}

/** TLS material as PEM text (as from secrets), so the private dir also holds credential files. */
function pemInputs(): Record<string, string> {
  return {
    endpoints: member.clientUrl,
    cacert: pki.pem('caCert'),
    cert: pki.pem('clientCert'),
    key: pki.pem('clientKey')
  }
}

/** A fresh RUNNER_TEMP and output-dir per run, so what is left behind can be listed exactly. */
function workDirs(): { runnerTemp: string; outputDir: string } {
  return { runnerTemp: mkdtempSync(join(dir, 'runner-')), outputDir: mkdtempSync(join(dir, 'out-')) }
}

/** etcdctl processes still talking to this member. */
function etcdctlLeft(): string[] {
  return processesMatching('etcdctl', `--endpoints=${member.clientUrl}`).map(p => p.cmdline)
}

/** What the runner temp and output dir still hold (the runner's own command files aside). */
function leftovers(runnerTemp: string, outputDir: string): string[] {
  return [
    ...filesUnder(runnerTemp).filter(f => !/^(output|state|summary)-(main|post)$/.test(f)),
    ...filesUnder(outputDir)
  ]
}

function expectNoUpload(name: string): void {
  expect(service.artifacts().some(a => a.name === name)).toBe(false)
  expect(service.requests.filter(r => r.operation === 'CreateArtifact' || r.operation === 'PutBlock').length).toBe(
    uploadsBefore
  )
}
let uploadsBefore = 0
beforeEach(() => {
  uploadsBefore = service.requests.filter(r => r.operation === 'CreateArtifact' || r.operation === 'PutBlock').length
})

describe('faults while the snapshot is taken', () => {
  it('etcd killed in the middle of snapshot save: fails naming the member, no partial file survives, nothing uploaded', async () => {
    const { runnerTemp, outputDir } = workDirs()
    let partAtKill = 0
    const { main, post } = await runAction({
      runnerTemp,
      inputs: { ...pemInputs(), recipients: recipient, 'output-dir': outputDir, 'artifact-name': 'killed' },
      env: service.env,
      onStart: () => {
        // Once the save has started, etcd sends only in short slices until the action has received part of the
        // snapshot; then, still frozen, note how much and kill it.
        void waitFor('the save to start', () => growingSnapshot(runnerTemp, 0), SAVE_START_MS)
          .then(() =>
            throttleUntil(
              'the action to receive part of the snapshot',
              sig => member.kill(sig),
              () => growingSnapshot(runnerTemp, 1 << 20)
            )
          )
          .then(() => {
            partAtKill = sizeOf(growingSnapshot(runnerTemp)?.file ?? '') ?? 0
            member.kill('SIGKILL')
          })
      }
    })
    scanRun('killed main', main)
    scanRun('killed post', post)
    expect(partAtKill).toBeGreaterThan(0)
    expect(partAtKill).toBeLessThan(SNAPSHOT_BYTES)
    expect(main.code).not.toBe(0)
    expect(main.error).toBe(
      `snapshot save from ${member.clientUrl} failed: the member closed the connection during the transfer (etcd stopped, restarted or was killed); retry, or check the member`
    )
    expect(post.code).toBe(0)
    // Neither the plaintext snapshot nor a half-written .age or .partial is left anywhere.
    expect(leftovers(runnerTemp, outputDir)).toEqual([])
    expectNoUpload('killed')
    expect(etcdctlLeft()).toEqual([])
    await member.exited()
    await member.restart()
  })

  it('a member that stops answering during the save: fails naming the timeout, and nothing is left behind', async () => {
    const { runnerTemp, outputDir } = workDirs()
    let frozenAt = 0
    const { main, post } = await runAction({
      runnerTemp,
      inputs: {
        ...pemInputs(),
        recipients: recipient,
        'output-dir': outputDir,
        'artifact-name': 'slow',
        timeout: '3s'
      },
      env: service.env,
      onStart: () => {
        void waitFor('the save to start', () => growingSnapshot(runnerTemp, 0), SAVE_START_MS).then(() => {
          member.kill('SIGSTOP')
          frozenAt = Date.now()
        })
      }
    })
    const waited = Date.now() - frozenAt
    member.kill('SIGCONT')
    scanRun('slow main', main)
    scanRun('slow post', post)
    expect(frozenAt).toBeGreaterThan(0)
    expect(main.error).toBe(
      `snapshot save from ${member.clientUrl} did not finish within the timeout of 3s; raise 'timeout' or check the member's load`
    )
    // The save's own timer ended it (the message above), in its time and not after a hang: 3 s from the start of the
    // save, then main's exit and the post step, which take seconds of their own on a loaded runner. A member frozen
    // for good would hold the save open until the test's own timeout.
    expect(waited).toBeLessThan(30_000)
    expect(etcdctlLeft()).toEqual([])
    expect(post.code).toBe(0)
    expect(leftovers(runnerTemp, outputDir)).toEqual([])
    expectNoUpload('slow')
  })

  /**
   * A module loaded into the action's node (NODE_OPTIONS=--import) that creates `asked` when the action sends its
   * first HashKV request: the moment the test freezes the member, so that etcd answers late or never.
   */
  function hashKvWatch(asked: string): string {
    const hook = join(dir, `hashkv-watch-${Date.now()}.mjs`)
    writeFileSync(
      hook,
      [
        "import { writeFileSync } from 'node:fs'",
        "import http2 from 'node:http2'",
        'const connect = http2.connect',
        'http2.connect = (...args) => {',
        '  const session = connect(...args)',
        '  const request = session.request',
        '  session.request = function (headers, ...rest) {',
        `    if (headers[':path'] === '/etcdserverpb.Maintenance/HashKV') writeFileSync(${JSON.stringify(asked)}, '')`,
        '    return request.call(this, headers, ...rest)',
        '  }',
        '  return session',
        '}',
        ''
      ].join('\n')
    )
    return hook
  }

  /**
   * Runs main and post with the member stopped (SIGSTOP) from `freezeWhen` resolves until `thawAfterMs` later, or
   * until the run ends; both steps go to the secret scan under `name`.
   */
  async function runWithMemberFrozen(
    name: string,
    freeze: { when: () => Promise<unknown>; thawAfterMs?: number },
    inputs: Record<string, string> = {},
    env: Record<string, string> = {}
  ): Promise<{ main: ActionRun; post: ActionRun; runnerTemp: string; outputDir: string; elapsedMs: number }> {
    const { runnerTemp, outputDir } = workDirs()
    const started = Date.now()
    let done = false
    try {
      const { main, post } = await runAction({
        runnerTemp,
        inputs: {
          ...pemInputs(),
          recipients: recipient,
          'output-dir': outputDir,
          'artifact-name': name,
          ...inputs
        },
        env: { ...service.env, ...env },
        onStart: () => {
          void freeze.when().then(
            () => {
              if (done) return
              member.kill('SIGSTOP')
              if (freeze.thawAfterMs !== undefined) setTimeout(() => member.kill('SIGCONT'), freeze.thawAfterMs)
            },
            () => undefined
          )
        }
      })
      scanRun(`${name} main`, main)
      scanRun(`${name} post`, post)
      return { main, post, runnerTemp, outputDir, elapsedMs: Date.now() - started }
    } finally {
      done = true
      member.kill('SIGCONT')
    }
  }

  /** Freezes the member as soon as the action asks it for HashKV, as etcd is while hashing a multi-GB keyspace. */
  function atHashKv(asked: string): { when: () => Promise<unknown>; env: Record<string, string> } {
    return {
      when: () => waitFor('HashKV to be asked', () => (existsSync(asked) ? true : undefined), 10 * 60_000),
      env: { NODE_OPTIONS: `--import ${hashKvWatch(asked)}` }
    }
  }

  it('a member that takes the connection and then never answers: the status probe gives up in its time', async () => {
    // A frozen etcd: the kernel still completes TCP connections to it, but TLS never answers.
    const { main, post, runnerTemp, outputDir, elapsedMs } = await runWithMemberFrozen('hung', {
      when: () => Promise.resolve()
    })
    expect(main.error).toBe(`no usable etcd endpoint: ${member.clientUrl}: no answer in time`)
    // The 10 s status timeout, then nothing is left running.
    expect(elapsedMs).toBeGreaterThanOrEqual(10_000)
    expect(etcdctlLeft()).toEqual([])
    expect(post.code).toBe(0)
    expect(leftovers(runnerTemp, outputDir)).toEqual([])
  })

  it('HashKV slower than a status call (a big keyspace) is waited for within timeout, and the backup passes', async () => {
    const asked = join(dir, 'hashkv-asked-slow')
    const watch = atHashKv(asked)
    const { main, post, elapsedMs } = await runWithMemberFrozen(
      'slow-hashkv',
      { when: watch.when, thawAfterMs: 11_000 },
      { upload: 'false' },
      watch.env
    )
    expect(main.error).toBeUndefined()
    expect(main.code).toBe(0)
    // Longer than the 10 s a status call may take: HashKV has the snapshot's timeout (10m by default).
    expect(elapsedMs).toBeGreaterThanOrEqual(11_000)
    expect(main.log).toMatch(/HashKV \d+ at revision \d+ matches the snapshot/)
    expect(post.code).toBe(0)
  })

  it('HashKV that does not come within timeout: fails naming the timeout and what to change, nothing left', async () => {
    const asked = join(dir, 'hashkv-asked-timeout')
    const watch = atHashKv(asked)
    const { main, post, runnerTemp, outputDir, elapsedMs } = await runWithMemberFrozen(
      'hashkv-timeout',
      { when: watch.when },
      // The timeout bounds the save too: long enough for the 150 MB save on a loaded runner (it took over 12 s at
      // load 13), so it is HashKV's that ends the run.
      { timeout: '45s' },
      watch.env
    )
    expect(main.error).toBe(
      `endpoint hashkv on ${member.clientUrl} failed: no answer within the timeout of 45s; etcd hashes the whole keyspace to answer: raise 'timeout' for a big one, or check the member's load`
    )
    expect(elapsedMs).toBeGreaterThanOrEqual(45_000)
    expect(etcdctlLeft()).toEqual([])
    expect(post.code).toBe(0)
    expect(leftovers(runnerTemp, outputDir)).toEqual([])
    expectNoUpload('hashkv-timeout')
  })

  it('a snapshot that fails verification while the HashKV asked early is still running: fails at once', async () => {
    const asked = join(dir, 'hashkv-asked-early')
    const watch = atHashKv(asked)
    const { main, post, runnerTemp, outputDir, elapsedMs } = await runWithMemberFrozen(
      'early-hashkv-failed',
      { when: watch.when },
      { 'required-keys': '/registry/no-such-resource', upload: 'false' },
      watch.env
    )
    expect(main.error).toBe(
      'snapshot failed verification: no live key under required prefix "/registry/no-such-resource"'
    )
    // HashKV was asked before the walk found the problem; the verdict did not wait for it.
    expect(existsSync(asked)).toBe(true)
    expect(elapsedMs).toBeLessThan(60_000)
    expect(etcdctlLeft()).toEqual([])
    expect(main.log).not.toMatch(/HashKV \d+ at revision/)
    expect(post.code).toBe(0)
    expect(leftovers(runnerTemp, outputDir)).toEqual([])
  })

  it.each(['SIGINT', 'SIGTERM'] as const)(
    'the workflow is cancelled (%s to main during the save): plaintext and credential files are gone, post still cleans up',
    async signal => {
      const { runnerTemp, outputDir } = workDirs()
      let signalledAt: { part: number; partial: number } | undefined
      const name = `cancelled-${signal}`
      const { main, post } = await runAction({
        runnerTemp,
        inputs: { ...pemInputs(), recipients: recipient, 'output-dir': outputDir, 'artifact-name': name },
        env: service.env,
        onStart: pid => {
          // Mid-save, while the pipeline is already writing the encrypted .partial next to it (etcd held to the
          // test's pace until then, so the save cannot end first), then etcd goes on.
          const partial = join(outputDir, name, `${name}.db.zst.age.partial`)
          void waitFor('the save to start', () => growingSnapshot(runnerTemp, 0), SAVE_START_MS)
            .then(() =>
              throttleUntil(
                'the save and the encrypted .partial to be under way',
                sig => member.kill(sig),
                () => (growingSnapshot(runnerTemp, 1 << 20) && sizeOf(partial) !== undefined ? true : undefined)
              )
            )
            .then(() => {
              signalledAt = { part: growingSnapshot(runnerTemp)?.size ?? 0, partial: sizeOf(partial) ?? 0 }
              process.kill(pid, signal)
            })
            .finally(() => member.kill('SIGCONT'))
        }
      })
      scanRun(`${name} main`, main)
      scanRun(`${name} post`, post)
      expect(signalledAt?.part).toBeGreaterThan(0)
      expect(signalledAt?.part).toBeLessThan(SNAPSHOT_BYTES)
      expect(main.code).toBe(1)
      expect(main.error).toBe(`cancelled (${signal}); the plaintext snapshot was removed`)
      // Main removed them itself before exiting; the post step then runs anyway and finds nothing left to remove.
      const privateDir = main.state['private-dir']
      // existsSync(undefined) is false too: the state must name the directory for this to prove anything.
      expect(privateDir).toMatch(/\/etcd-snapshot-\w+$/)
      expect(existsSync(privateDir!)).toBe(false)
      expect(post.code).toBe(0)
      expect(post.log).not.toMatch(/::warning::/)
      expect(leftovers(runnerTemp, outputDir)).toEqual([])
      expect(etcdctlLeft()).toEqual([])
      expectNoUpload(name)
    }
  )

  it("a cancel while etcd's snapshot status hangs: the tool and what it started are killed as a group", async () => {
    // The second opinion hangs and leaves a child of its own (a tool's helper, say): a cancel must end both, since
    // a process still reading the plaintext would outlive the removal of its folder.
    const { runnerTemp, outputDir } = workDirs()
    const marker = `hung-status-${process.pid}`
    const bin = join(dir, marker)
    mkdirSync(bin)
    // The helper is a copy of sleep under a name of its own, so that it alone matches.
    const helper = join(bin, `${marker}-sleep`)
    copyFileSync('/bin/sleep', helper)
    const tool = join(bin, SNAPSHOT_TOOL_BIN.split('/').at(-1) as string)
    writeFileSync(
      tool,
      `#!/bin/sh\ncase "$*" in *"snapshot status"*) ${helper} 600 & wait ;; *) exec ${SNAPSHOT_TOOL_BIN} "$@" ;; esac\n`,
      { mode: 0o755 }
    )
    const toolInput = SNAPSHOT_TOOL_BIN.endsWith('etcdutl') ? 'etcdutl' : 'etcdctl'
    let hungSeen = false
    const { main, post } = await runAction({
      runnerTemp,
      inputs: {
        ...pemInputs(),
        recipients: recipient,
        'output-dir': outputDir,
        'artifact-name': 'hung-status',
        upload: 'false',
        [toolInput]: tool
      },
      onStart: pid =>
        void waitFor(
          'the hung snapshot status',
          () => (processesMatching(helper).length ? true : undefined),
          120_000
        ).then(() => {
          hungSeen = true
          process.kill(pid, 'SIGTERM')
        })
    })
    expect(main.error).toBe('cancelled (SIGTERM); the plaintext snapshot was removed')
    expect(hungSeen).toBe(true)
    expect(processesMatching(helper)).toEqual([])
    expect(post.code).toBe(0)
    expect(leftovers(runnerTemp, outputDir)).toEqual([])
  })

  /** Runs the action and, once the save and the encrypted .partial are under way, hands main's pid to `act`. */
  function runSignalledMidSave(
    name: string,
    act: (mainPid: number, dirs: { runnerTemp: string; outputDir: string }) => void,
    env: Record<string, string> = {}
  ) {
    const { runnerTemp, outputDir } = workDirs()
    const partial = join(outputDir, name, `${name}.db.zst.age.partial`)
    let acted = false
    const done = runAction({
      runnerTemp,
      inputs: { ...pemInputs(), recipients: recipient, 'output-dir': outputDir, 'artifact-name': name },
      env: { ...service.env, ...env },
      onStart: pid => {
        // etcd is held to the test's pace once the save starts, so the save cannot end before `act` runs mid-save.
        void waitFor('the save to start', () => growingSnapshot(runnerTemp, 0), SAVE_START_MS)
          .then(() =>
            throttleUntil(
              'the save and the .partial',
              sig => member.kill(sig),
              () => (growingSnapshot(runnerTemp, 1 << 20) && sizeOf(partial) !== undefined ? true : undefined)
            )
          )
          .then(() => {
            act(pid, { runnerTemp, outputDir })
            acted = true
          })
          .finally(() => member.kill('SIGCONT'))
      }
    })
    return done.then(({ main, post }) => {
      scanRun(`${name} main`, main)
      scanRun(`${name} post`, post)
      expect(acted).toBe(true)
      return { main, post, runnerTemp, outputDir }
    })
  }

  /** Whether a process still runs (a zombie waiting for whoever adopted it to reap it has ended). */
  function running(pid: number): boolean {
    try {
      return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z'
    } catch {
      return false
    }
  }

  /** The node process doing the backup: main's child started with the small young generation. */
  function workProcess(mainPid: number): ProcessInfo | undefined {
    return childProcesses(mainPid).find(
      p => p.cmdline.startsWith(process.execPath) && p.cmdline.includes('--max-semi-space-size=1')
    )
  }

  it('the backup runs in a node started with a 1 MiB semi-space, and one set in NODE_OPTIONS is kept instead', async () => {
    const nodesUnder = (pid: number): ProcessInfo[] =>
      childProcesses(pid).filter(p => p.cmdline.startsWith(process.execPath))
    let relaunched: ProcessInfo[] = []
    const launched = await runSignalledMidSave('relaunched', pid => (relaunched = nodesUnder(pid)))
    expect(launched.main.code).toBe(0)
    expect(relaunched.map(p => p.cmdline.includes('--max-semi-space-size=1'))).toEqual([true])

    let inPlace: ProcessInfo[] = [{ pid: 0, cmdline: 'not sampled' }]
    const chosen = await runSignalledMidSave('semi-space-chosen', pid => (inPlace = nodesUnder(pid)), {
      NODE_OPTIONS: '--max-semi-space-size=2'
    })
    expect(chosen.main.code).toBe(0)
    expect(inPlace).toEqual([])
  })

  it("the runner's last resort, SIGKILL to main (which only waits): the backup process stops, removes the plaintext itself", async () => {
    let work: ProcessInfo | undefined
    const { main, post, runnerTemp, outputDir } = await runSignalledMidSave('main-killed', pid => {
      work = workProcess(pid)
      process.kill(pid, 'SIGKILL')
    })
    expect(main.signal).toBe('SIGKILL')
    expect(work).toBeDefined()
    // main's output closed only when the backup process had exited too: it outlived main by its cleanup alone.
    expect(running(work?.pid as number)).toBe(false)
    expect(main.log).toContain("the action's first node process is gone (killed by the runner?): ending as on SIGTERM")
    expect(main.error).toBe('cancelled (SIGTERM); the plaintext snapshot was removed')
    // It removed the plaintext and credentials before the post step ran: post found nothing of them to remove.
    const privateDir = main.state['private-dir']
    expect(privateDir).toMatch(/\/etcd-snapshot-\w+$/)
    expect(existsSync(privateDir!)).toBe(false)
    expect(post.code).toBe(0)
    expect(post.log).not.toContain(`removed ${privateDir}`)
    expect(leftovers(runnerTemp, outputDir)).toEqual([])
    expect(etcdctlLeft()).toEqual([])
    expectNoUpload('main-killed')
  })

  it('the backup process killed outright (SIGKILL, as the OOM killer does): main fails in one line, post removes the plaintext, key file and .partial', async () => {
    const name = 'work-killed'
    let work: ProcessInfo | undefined
    let seen: string[] = []
    const { main, post, runnerTemp, outputDir } = await runSignalledMidSave(name, (pid, dirs) => {
      work = workProcess(pid)
      if (work) process.kill(work.pid, 'SIGKILL')
      seen = leftovers(dirs.runnerTemp, dirs.outputDir)
    })
    expect(work).toBeDefined()
    expect(main.code).toBe(1)
    expect(main.error).toBe(
      `the backup's node process ${work?.pid} was killed by SIGKILL before it finished; the post step removes the files it left`
    )
    // What the backup process left: the plaintext being saved, the client key written from PEM text, the half-written backup.
    expect(seen).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^etcd-snapshot-\w+\/snapshot\.db$/),
        expect.stringMatching(/^etcd-snapshot-\w+\/client\.key$/),
        `${name}/${name}.db.zst.age.partial`
      ])
    )
    // The save ran inside that process, so nothing outlived it to write on.
    expect(etcdctlLeft()).toEqual([])
    expect(post.code).toBe(0)
    expect(main.state['private-dir']).toMatch(/\/etcd-snapshot-\w+$/)
    expect(post.log).toContain(`removed ${main.state['private-dir']}`)
    expect(leftovers(runnerTemp, outputDir)).toEqual([])
    expectNoUpload(name)
  })
})

describe('output disk full', () => {
  it('output-dir on a full filesystem (1 MiB tmpfs): one clear line, no truncated .age file left', async () => {
    const mount = join(dir, 'tiny-output')
    mkdirSync(mount)
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m,mode=0755', 'tmpfs', mount])
    mounts.push(mount)
    const { runnerTemp } = workDirs()
    const { main, post } = await runAction({
      runnerTemp,
      inputs: {
        ...pemInputs(),
        recipients: recipient,
        compression: 'none',
        'output-dir': mount,
        'artifact-name': 'full'
      },
      env: service.env
    })
    scanRun('full main', main)
    scanRun('full post', post)
    expect(main.error).toBe(
      `no space left in ${join(mount, 'full')} while writing the backup; free space or point output-dir elsewhere (the partial file was removed)`
    )
    expect(filesUnder(mount)).toEqual([])
    expect(post.code).toBe(0)
    expect(leftovers(runnerTemp, mount)).toEqual([])
    expectNoUpload('full')
  })

  it('RUNNER_TEMP full while the plaintext is written: fails naming the place and the cause, nothing left', async () => {
    const runnerTemp = join(dir, 'tiny-temp')
    mkdirSync(runnerTemp)
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m,mode=0700', 'tmpfs', runnerTemp])
    mounts.push(runnerTemp)
    const outputDir = mkdtempSync(join(dir, 'out-'))
    const { main, post } = await runAction({
      runnerTemp,
      inputs: { ...pemInputs(), recipients: recipient, 'output-dir': outputDir, 'artifact-name': 'temp-full' },
      env: service.env
    })
    scanRun('temp-full main', main)
    scanRun('temp-full post', post)
    expect(main.error).toBe(
      `no space left in ${main.state['private-dir']} for the plaintext snapshot; the runner's temp dir (RUNNER_TEMP) needs room for the whole snapshot`
    )
    expect(post.code).toBe(0)
    expect(leftovers(runnerTemp, outputDir)).toEqual([])
    expectNoUpload('temp-full')
  })
})

describe('secrets', () => {
  // Every run above is searched where it ends (scanRun); this one stands alone: a whole backup and upload with the
  // TLS key given as PEM text.
  it('leaks no secret in a backup that succeeds with the TLS key given as text', async () => {
    const { runnerTemp, outputDir } = workDirs()
    const inputs = { ...pemInputs(), recipients: recipient, 'output-dir': outputDir, 'artifact-name': 'no-leak' }
    const { main, post } = await runAction({ runnerTemp, inputs, env: service.env })
    expect(main.error).toBeUndefined()
    expect(main.code).toBe(0)
    expect(service.artifacts().some(a => a.name === 'no-leak')).toBe(true)
    const scan = new SecretScan().addSecretInputs(inputs).addPki(pki)
    expect(scan.size).toBeGreaterThan(1)
    scan.expectClean({ runs: { main, post }, trees: [outputDir, runnerTemp] })
  })
})
