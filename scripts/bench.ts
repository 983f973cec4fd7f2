/**
 * npm run bench [-- --size-mb 1024] [--rounds 3] [--json out.json] [--keep] [--node-options '--max-semi-space-size=0']
 *                 [--etcd 3.4|3.5|3.6] [--sync-between] [--no-leases] [--no-parts] [--input compression-level=1 ...]
 *                 [--variant level1:compression-level=1 ...] [--logs <dir>]
 *                 [--baseline <another checkout's dist/>] [--only save,action]
 *
 * Starts a local TLS etcd (the pinned release --etcd names, see scripts/etcd/release.ts), loads Kubernetes-shaped
 * data until the snapshot is about --size-mb (every Event bound to a lease, as kube-apiserver does, unless
 * --no-leases), then measures, in alternating rounds on the same data (--input gives the action more inputs):
 *   save      `etcdctl snapshot save` alone (the floor: etcd must stream the data)
 *   shell     what users would write instead: save; snapshot status; sha256sum; zstd -3; age -r
 *   action    this action as a runner runs it: dist/main (the launcher and its work process), then dist/post; upload: false
 *   upload    the same with upload to the local artifact-service emulator
 *   s3        the same with upload: false and the offsite copy to a local MinIO (s3-uri), the SDK's real work
 *   baseline  with --baseline, the action from another build's dist/ (say, the previous commit's), run the same way
 *             right after `action`, so the two alternate on the same data
 * --only keeps the kinds named (and the save, which the ratios divide by). Each round runs every kind once, in that order; the ratio to `save` is taken per round (each run over the save of
 * its own round) and reported as the median with its spread, so a drift across rounds shows instead of averaging out.
 * Before each run it records the kernel's dirty, writeback, free and cached memory (/proc/meminfo), the evidence for
 * what one run leaves to the next; --sync-between runs `sync` before each run so that no run pays for the previous
 * one's write-back. For each run it logs the tree's CPU seconds by process (and the action's work process by thread:
 * main, libuv's pool, V8's workers), the kernel's share, and the whole machine's CPU by kind (user, system, idle,
 * iowait, steal), reclaim and write-out from /proc/stat and /proc/vmstat; the JSON keeps them by round.
 * It prints medians, ratios to `save`, the peak resident memory and CPU seconds of each process tree (and the peak
 * anonymous memory of the action's own node processes, the launcher and the work, without etcdctl's), and etcd's own
 * CPU seconds during each run (the machine's cores bound what can overlap); then the parts alone:
 * the native verifier, age encryption, and upload to the emulator, each in a node started as the action's work is
 * (--max-semi-space-size=1), unless --no-parts. --node-options is given to the action's node as
 * NODE_OPTIONS, as a step's `env:` would on a runner: a semi-space size there runs the work in the first node with
 * that size (0 is V8's default), to compare with the 1 MiB the action chooses.
 */
// First: --etcd sets ETCD_BIN_DIR and PATH before harness/etcd.ts reads them.
import './etcd/release.js'
import { execFileSync, spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { constants, zstdCompressSync } from 'node:zlib'
import {
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync
} from 'node:fs'
import { cpus, tmpdir, totalmem } from 'node:os'
import { basename, join } from 'node:path'
import { ROOT, runStep } from '../__tests__/harness/action-runner.js'
import { startArtifactService } from '../__tests__/harness/artifact-service.js'
import { ETCD_VERSION, SNAPSHOT_TOOL_BIN, startEtcd, stopAll } from '../__tests__/harness/etcd.js'
import { childPids } from '../__tests__/harness/faults.js'
import { makePki } from '../__tests__/harness/pki.js'
import { seedKubernetes } from '../__tests__/harness/seed.js'
import { grantLease } from '../__tests__/harness/etcd-client.js'
import { startS3Server } from '../__tests__/harness/s3-server.js'

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback
}
const sizeMb = Number(arg('size-mb', '1024'))
const rounds = Number(arg('rounds', '3'))
const jsonOut = process.argv.includes('--json') ? arg('json', 'bench.json') : undefined
const nodeOptions = arg('node-options', '')
const syncBetween = process.argv.includes('--sync-between')
const baselineDist = process.argv.includes('--baseline') ? arg('baseline', '') : undefined
const only = process.argv.includes('--only') ? arg('only', '').split(',') : undefined
const noLeases = process.argv.includes('--no-leases')
const noParts = process.argv.includes('--no-parts')
/** --logs <dir>: keep each action run's log there, as <kind>-<round>.log. */
const logDir = process.argv.includes('--logs') ? arg('logs', '') : undefined
/**
 * --variant name:input=value[,input=value] (repeatable): one more kind, the action with those inputs, run in every
 * round after the others, e.g. `--variant level1:compression-level=1` to measure a lever against `action`.
 */
const variants: Record<string, Record<string, string>> = Object.fromEntries(
  process.argv
    .flatMap((a, i) => (a === '--variant' ? [process.argv[i + 1] ?? ''] : []))
    .map(v => {
      const [name = '', inputs = ''] = v.split(/:(.*)/s)
      return [
        name,
        Object.fromEntries(inputs.split(',').map(kv => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]))
      ]
    })
)
/** --input name=value (repeatable): an input given to every run of the action, such as compression-level=1. */
const extraInputs: Record<string, string> = Object.fromEntries(
  process.argv
    .flatMap((a, i) => (a === '--input' ? [process.argv[i + 1] ?? ''] : []))
    .map(kv => {
      const at = kv.indexOf('=')
      return [kv.slice(0, at), kv.slice(at + 1)]
    })
)
const log = (text: string): void => void process.stderr.write(`${text}\n`)
/** The parts alone run in a node started as the action's work is (src/action/launcher.ts), so they measure what it does. */
const PART_NODE_FLAGS = ['--max-semi-space-size=1']
/** The node binary the action runs on (this one), to tell its processes from etcdctl's. */
const NODE = realpathSync(process.execPath)

/**
 * Resident memory of a process and all its descendants, in bytes, from the kernel's RSS counters in
 * /proc/<pid>/status: reading them costs ~0.05 ms, where smaps_rollup (for PSS) walks the page tables, 2 ms and more
 * for etcdctl's `snapshot status` as it maps the snapshot, several for a node process; sampling with smaps_rollup cost
 * the action 1.7-3.8 CPU-seconds a run at 1 GB, 14-16 at 4 GB, on the cores it was measured on. A child caught
 * between fork and exec still runs its parent's program with its parent's pages; it is left out, or its parent's
 * memory would count twice. `total` counts file-backed pages too (shared libraries count in each process that maps
 * them), `anon` leaves them out. etcdctl's `snapshot status` mmaps the snapshot, so its file-backed share is the
 * snapshot's size; those are page-cache pages the kernel can drop at any time, not memory the backup holds.
 */
function treeRss(
  pid: number,
  cpuByPid?: Map<number, { label: string; cpu: number }>
): { total: number; anon: number; ownAnon: number } {
  let total = 0
  let anon = 0
  let ownAnon = 0
  const stack: Array<{ p: number; parentCmdline?: string }> = [{ p: pid }]
  while (stack.length) {
    const { p, parentCmdline } = stack.pop() as { p: number; parentCmdline?: string }
    try {
      const cmdline = readFileSync(`/proc/${p}/cmdline`, 'latin1')
      if (cmdline !== parentCmdline) {
        const status = readFileSync(`/proc/${p}/status`, 'utf8')
        const kb = (field: string): number =>
          Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0) * 1024
        const anonHere = kb('RssAnon') + kb('RssShmem')
        total += kb('VmRSS')
        anon += anonHere
        const isNode = readlinkSync(`/proc/${p}/exe`) === NODE
        if (p === pid || isNode) ownAnon += anonHere
        if (cpuByPid) {
          const argv = cmdline.split('\0')
          const label =
            p === pid
              ? `${basename(argv[0] ?? '?')} (root)`
              : isNode
                ? 'node (work)'
                : `${basename(argv[0] ?? '?')} ${argv[1] ?? ''}`.trim()
          if (isNode && p !== pid) {
            // The work process by thread: main (JS, TLS, hashing, age, the walk), libuv's pool (zstd, file I/O), V8's.
            for (const task of readdirSync(`/proc/${p}/task`)) {
              const stat = readFileSync(`/proc/${p}/task/${task}/stat`, 'utf8')
              const comm = /\((.*)\)/.exec(stat)?.[1] ?? '?'
              const thread = Number(task) === p ? 'main' : comm.replace(/\d+$/, '').trim()
              cpuByPid.set(-Number(task), { label: `node (work) ${thread}`, cpu: statCpu(stat) })
            }
          } else cpuByPid.set(p, { label, cpu: cpuSeconds(p) })
        }
      }
      stack.push(...childPids(p).map(c => ({ p: c, parentCmdline: cmdline })))
    } catch {
      // exited meanwhile
    }
  }
  return { total, anon, ownAnon }
}

/** What the kernel holds, in MiB, just before a run: dirty and writeback (file data written but not yet on disk), free memory and the page cache. */
function dirtyMiB(): { dirty: number; writeback: number; free: number; cached: number } {
  const meminfo = readFileSync('/proc/meminfo', 'utf8')
  const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(meminfo)?.[1] ?? 0)
  const mib = (field: string): number => Math.round(kb(field) / 1024)
  return { dirty: mib('Dirty'), writeback: mib('Writeback'), free: mib('MemFree'), cached: mib('Cached') }
}

/**
 * The whole machine's counters, to subtract one reading from the next: CPU seconds by kind from /proc/stat (all
 * cores; `steal` is time the hypervisor gave this machine's cores to others) and reclaim and I/O counts from
 * /proc/vmstat (pages scanned by a process that had to free memory itself, stalls waiting for it, KiB written out).
 */
function machineCounters(): Record<string, number> {
  const cpu = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').split(/\s+/).slice(1).map(Number)
  const hz = (i: number): number => (cpu[i] ?? 0) / 100
  const vm = Object.fromEntries(
    readFileSync('/proc/vmstat', 'utf8')
      .trim()
      .split('\n')
      .map(l => l.split(' '))
      .map(([k, v]) => [k, Number(v)])
  ) as Record<string, number>
  const sum = (prefix: string): number =>
    Object.entries(vm)
      .filter(([k]) => k.startsWith(prefix))
      .reduce((a, [, v]) => a + v, 0)
  return {
    user: hz(0) + hz(1),
    system: hz(2) + hz(5) + hz(6),
    idle: hz(3),
    iowait: hz(4),
    steal: hz(7),
    pgscanDirect: vm['pgscan_direct'] ?? 0,
    allocstall: sum('allocstall'),
    pgscanKswapd: vm['pgscan_kswapd'] ?? 0,
    writtenMiB: (vm['pgpgout'] ?? 0) / 1024
  }
}

const CALIBRATION_DATA = Buffer.alloc(16 * 2 ** 20, 0x5a)
/** 16 MiB of compressible text-like bytes, the same every run (a fixed linear congruential sequence of words). */
const CALIBRATION_TEXT = (() => {
  const words = ['metadata', 'namespace', 'kube-system', 'resourceVersion', '"uid":', 'annotations', '{', '}', ' ']
  const out = Buffer.alloc(16 * 2 ** 20)
  let x = 12345
  for (let at = 0; at < out.length;) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0
    at += out.write(`${words[(x >>> 16) % words.length]}${(x >>> 4) & 0xfff}`, at)
  }
  return out
})()

/**
 * How fast this machine is right now, in MiB per CPU-second of this (otherwise idle) process, no I/O: SHA-256 of 128
 * MiB in memory (the arithmetic units) and zstd -3 of 16 MiB of text (caches and memory, as the backup's compression
 * uses them). Taken before each run, it tells a machine that slows down (a hypervisor, a host's clock or its other
 * tenants) from work that grows: the same code on the same bytes takes longer on both.
 */
function calibrate(): { sha256: number; zstd: number } {
  const time = (work: () => void): number => {
    const before = process.cpuUsage()
    work()
    const used = process.cpuUsage(before)
    return (used.user + used.system) / 1e6
  }
  const sha = time(() => {
    for (let i = 0; i < 8; i++) createHash('sha256').update(CALIBRATION_DATA).digest()
  })
  const zstd = time(() => zstdCompressSync(CALIBRATION_TEXT, { params: { [constants.ZSTD_c_compressionLevel]: 3 } }))
  return { sha256: Math.round(128 / sha), zstd: Math.round(16 / zstd) }
}

function delta(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(after).map(([k, v]) => [k, Number((v - (before[k] ?? 0)).toFixed(1))]))
}

/** CPU time (user + system) a process has used so far, in seconds. */
function cpuSeconds(pid: number): number {
  return statCpu(readFileSync(`/proc/${pid}/stat`, 'utf8'))
}

/** User + system seconds from the text of a /proc/<pid>/stat or /proc/<pid>/task/<tid>/stat. */
function statCpu(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) / 100 // utime, stime in USER_HZ (100 on Linux)
}

/**
 * CPU time of this process's children that have ended and been waited for, each with the children it waited for in
 * turn, in seconds, user and system (kernel) apart: the kernel's own count for a whole process tree, at no cost to
 * what is measured.
 */
function endedChildrenCpu(): { user: number; system: number } {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]?.split(' ') ?? []
  return { user: Number(fields[13]) / 100, system: Number(fields[14]) / 100 } // cutime, cstime
}

interface Peak {
  total: number
  anon: number
  /** Anonymous memory of the root process and any node under it (the action's two node processes; bash for the shell). */
  ownAnon: number
  /** CPU seconds of the whole process tree, from the kernel's count once it has ended. */
  cpu: number
  /** Seconds this process spent sampling memory, taken from the cores the measured run shares. */
  sampling: number
  /** Of `cpu`, the part spent in the kernel on the tree's behalf (writes, reads, page faults, reclaim). */
  systemCpu: number
  /**
   * CPU seconds by process, as last sampled (up to 100 ms of each process's end is missed, and a process that lived
   * less than that is not seen): the root, node (work), and each tool by its first argument.
   */
  byProcess: Record<string, number>
}

/**
 * Samples the peak memory of a process tree every 100 ms until stopped; stop it once the tree has ended and been
 * waited for, so that its CPU time, the kernel's count for ended children, is whole. Sampling competes with what it
 * measures on a small machine, so it reads only counters (see treeRss) and reports what it cost.
 */
function watchRss(pid: number): () => Peak {
  const peak: Peak = { total: 0, anon: 0, ownAnon: 0, cpu: 0, sampling: 0, systemCpu: 0, byProcess: {} }
  const cpuBefore = endedChildrenCpu()
  const cpuByPid = new Map<number, { label: string; cpu: number }>()
  const sample = (): void => {
    const start = performance.now()
    const now = treeRss(pid, cpuByPid)
    peak.sampling += (performance.now() - start) / 1000
    peak.total = Math.max(peak.total, now.total)
    peak.anon = Math.max(peak.anon, now.anon)
    peak.ownAnon = Math.max(peak.ownAnon, now.ownAnon)
  }
  const timer = setInterval(sample, 100)
  return () => {
    clearInterval(timer)
    const cpuAfter = endedChildrenCpu()
    peak.cpu = cpuAfter.user + cpuAfter.system - cpuBefore.user - cpuBefore.system
    peak.systemCpu = cpuAfter.system - cpuBefore.system
    for (const { label, cpu } of cpuByPid.values())
      peak.byProcess[label] = Number(((peak.byProcess[label] ?? 0) + cpu).toFixed(2))
    return peak
  }
}

async function timeShell(script: string, env: Record<string, string>): Promise<{ seconds: number; peakRss: Peak }> {
  const start = performance.now()
  const child = spawn('bash', ['-eo', 'pipefail', '-c', script], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe']
  })
  const stop = watchRss(child.pid as number)
  let stderr = ''
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()))
  const code = await new Promise<number | null>(res => child.on('close', res))
  const peakRss = stop()
  if (code !== 0) throw new Error(`shell step failed (${code}): ${stderr.slice(-500)}`)
  return { seconds: (performance.now() - start) / 1000, peakRss }
}

/** Runs `lines` as a TypeScript module in a child process; the last thing it prints is the seconds its work took. */
async function timedChild(work: string, name: string, lines: string[], env: Record<string, string>): Promise<number> {
  const file = join(work, `${name}.mts`)
  writeFileSync(file, lines.join('\n'))
  const child = spawn(process.execPath, [...PART_NODE_FLAGS, '--import', 'tsx', file], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'ignore']
  })
  let out = ''
  child.stdout.on('data', (b: Buffer) => (out += b.toString()))
  const code = await new Promise<number | null>(res => child.on('close', res))
  const seconds = Number(out.trim().split('\n').pop())
  if (code !== 0 || !(seconds > 0)) throw new Error(`the ${name} measurement failed (exit ${code})`)
  return seconds
}

/**
 * The pipeline's parts on their own, against the issue's targets (verify >= 500 MB/s, encrypt >= 1 GB/s, upload to
 * the emulator >= 200 MB/s), each in a process of its own, on a fresh snapshot of the same member.
 */
async function measureComponents(
  etcdEnv: Record<string, string>,
  recipient: string,
  artifactEnv: Record<string, string>,
  work: string
): Promise<{
  verifyMBs: number
  verifyPeakRssMiB: number
  encryptMBs: number
  encryptFromFileMBs: number
  uploadMBs: number
}> {
  rmSync(work, { recursive: true, force: true })
  execFileSync('mkdir', ['-p', work])
  const snapshot = join(work, 'components.db')
  execFileSync('etcdctl', ['--command-timeout=600s', 'snapshot', 'save', snapshot], {
    env: { ...process.env, ...etcdEnv },
    stdio: 'ignore'
  })
  const size = statSync(snapshot).size
  const mbs = (bytes: number, since: number): number => Math.round(bytes / 1e6 / ((performance.now() - since) / 1000))

  // Each part runs in a child process, so its time and memory are its own (this process also hosts the emulator,
  // which keeps every artifact in memory), started as the action starts its work (PART_NODE_FLAGS). The verifier is
  // timed whole, from the CLI's start.
  const start = performance.now()
  const verify = spawn(
    process.execPath,
    [...PART_NODE_FLAGS, join(ROOT, 'dist', 'cli', 'index.js'), 'verify', snapshot],
    { stdio: 'ignore' }
  )
  const stopVerify = watchRss(verify.pid as number)
  const verifyCode = await new Promise<number | null>(res => verify.on('close', res))
  const verifyMBs = mbs(size, start)
  const verifyPeak = stopVerify()
  if (verifyCode !== 0) throw new Error(`the verifier rejected a fresh snapshot (exit ${verifyCode})`)

  // Encryption and upload time only their work (not Node's start or tsx's transpiling). Encryption is timed as the
  // backup runs it, on 1 MiB buffers already in memory (zstd's output; here the snapshot, read in first), and again
  // reading the snapshot from the page cache as it goes, which adds the read's fresh 1 MiB buffers. Its output is
  // dropped in memory (a write(2) per age chunk to /dev/null would measure the thread pool instead). The upload talks
  // to the emulator over loopback, as the action does.
  const encryptLines = (source: string[]): string[] => [
    `import { createReadStream } from 'node:fs'`,
    `import { Readable, Writable } from 'node:stream'`,
    `import { pipeline } from 'node:stream/promises'`,
    `import { createEncryptStream, parseRecipients } from ${JSON.stringify(join(ROOT, 'src', 'age', 'index.ts'))}`,
    `const recipients = parseRecipients([${JSON.stringify(recipient)}])`,
    `const file = () => createReadStream(${JSON.stringify(snapshot)}, { highWaterMark: 1 << 20 })`,
    ...source,
    `const start = performance.now()`,
    `await pipeline(source, createEncryptStream({ recipients }), new Writable({ write: (_chunk, _encoding, done) => done() }))`,
    `process.stdout.write(String((performance.now() - start) / 1000))`
  ]
  const encryptSeconds = await timedChild(
    work,
    'encrypt',
    encryptLines([
      `const buffers = []`,
      `for await (const buffer of file()) buffers.push(buffer)`,
      `const source = Readable.from(buffers, { objectMode: false })`
    ]),
    {}
  )
  const encryptFromFileSeconds = await timedChild(work, 'encrypt-file', encryptLines([`const source = file()`]), {})
  const uploadSeconds = await timedChild(
    work,
    'upload',
    [
      `import { uploadBackup } from ${JSON.stringify(join(ROOT, 'src', 'action', 'artifact.ts'))}`,
      `const start = performance.now()`,
      `await uploadBackup({ name: 'bench-components-' + Date.now(), files: [${JSON.stringify(snapshot)}], rootDirectory: ${JSON.stringify(work)} })`,
      `process.stdout.write(String((performance.now() - start) / 1000))`
    ],
    artifactEnv
  )
  const encryptMBs = Math.round(size / 1e6 / encryptSeconds)
  const encryptFromFileMBs = Math.round(size / 1e6 / encryptFromFileSeconds)
  const uploadMBs = Math.round(size / 1e6 / uploadSeconds)
  return {
    verifyMBs,
    verifyPeakRssMiB: Math.round(verifyPeak.total / 2 ** 20),
    encryptMBs,
    encryptFromFileMBs,
    uploadMBs
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number

const dir = mkdtempSync(join(tmpdir(), 'etcd-bench-'))
try {
  execFileSync('npm', ['run', 'package', '--silent'], { cwd: ROOT, stdio: 'inherit' })
  const pki = await makePki(join(dir, 'pki'))
  // etcd keeps the raft entries since its last raft snapshot in memory, and the load's entries are large (128 puts of
  // ~3.7 kB each): at the default --snapshot-count (100,000 on 3.4) an 8 GB load stays in etcd's memory, ~6 GB of it,
  // and squeezes the page cache as no production member does. A small count and a restart after the load leave a
  // member whose memory is its index, as a long-running one's is.
  const member = await startEtcd({ pki, quotaBackendBytes: 8 * 1024 ** 3, extraArgs: ['--snapshot-count=1000'] })
  const objects = Math.round((sizeMb * 1024 * 1024) / 4800)
  log(`etcd ${ETCD_VERSION}: loading ${objects} Kubernetes-shaped objects (target snapshot ~${sizeMb} MB)...`)
  const loadStart = performance.now()
  // As kube-apiserver does, every Event is bound to a lease (an hour by default there; a day here, so none expires
  // during the run). --no-leases leaves them unbound, as data outside Kubernetes may be.
  const eventLease = noLeases ? undefined : (await grantLease(member, 86_400)).id
  const seeded = await seedKubernetes(member, { objects, seed: 42, eventLease })
  const loadSeconds = (performance.now() - loadStart) / 1000
  await member.restart(10 * 60_000)
  log(
    `loaded ${seeded.keys} keys (${(seeded.bytes / 1e6).toFixed(0)} MB of values) in ${loadSeconds.toFixed(1)} s: ${(seeded.keys / loadSeconds).toFixed(0)} keys/s`
  )

  const service = await startArtifactService()
  const s3 = only && !only.includes('s3') ? undefined : await startS3Server()
  if (s3) {
    // A versioned bucket with Object Lock, as the offsite copy is meant to be used.
    const made = await s3.request({
      method: 'PUT',
      path: '/bench',
      headers: { 'x-amz-bucket-object-lock-enabled': 'true' }
    })
    if (made.status !== 200) throw new Error(`could not create the bench bucket: HTTP ${made.status}`)
  }
  const identity = join(dir, 'key.txt')
  execFileSync('age-keygen', ['-o', identity], { stdio: 'ignore' })
  const recipient = execFileSync('age-keygen', ['-y', identity], { encoding: 'utf8' }).trim()
  const etcdEnv = { ...member.etcdctlEnv }
  const work = join(dir, 'work')

  interface Runs {
    seconds: number[]
    peakRss: Peak[]
    /** etcd's own CPU seconds during the run (sending the snapshot, answering status and hashkv). */
    etcdCpu: number[]
    /** Dirty, writeback, free and cached MiB just before the run. */
    dirtyBefore: Array<ReturnType<typeof dirtyMiB>>
    /** The whole machine during the run: CPU seconds by kind, reclaim and write-out (see machineCounters). */
    machine: Array<Record<string, number>>
    /** The backup file's size, for the action's kinds. */
    outputBytes: number[]
    /** For the action's kinds, main alone (post not counted), as earlier versions of this benchmark timed it. */
    mainSeconds: number[]
  }
  const runs = (): Runs => ({
    seconds: [],
    peakRss: [],
    etcdCpu: [],
    dirtyBefore: [],
    machine: [],
    outputBytes: [],
    mainSeconds: []
  })
  const kinds = [
    ...['save', 'shell', 'action', ...(baselineDist ? ['baseline'] : []), 'upload', 's3'].filter(
      k => k === 'save' || !only || only.includes(k)
    ),
    ...Object.keys(variants)
  ]
  const results: Record<string, Runs> = Object.fromEntries(kinds.map(k => [k, runs()]))
  let snapshotBytes = 0
  let outputBytes = 0
  for (let round = 0; round < rounds; round++) {
    for (const kind of Object.keys(results)) {
      rmSync(work, { recursive: true, force: true })
      execFileSync('mkdir', ['-p', work])
      let seconds: number
      let peakRss: Peak
      if (syncBetween) execFileSync('sync')
      const calibration = calibrate()
      // etcd's own memory before the run: what a backup could leave behind on the member's side.
      const etcdAnonMiB = Math.round(
        Number(/^RssAnon:\s+(\d+)/m.exec(readFileSync(`/proc/${member.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024
      )
      const dirtyBefore = dirtyMiB()
      const etcdCpuBefore = cpuSeconds(member.pid)
      const machineBefore = machineCounters()
      if (kind === 'save') {
        ;({ seconds, peakRss } = await timeShell(
          `etcdctl --command-timeout=600s snapshot save ${work}/s.db >/dev/null`,
          etcdEnv
        ))
        snapshotBytes = statSync(`${work}/s.db`).size
      } else if (kind === 'shell') {
        ;({ seconds, peakRss } = await timeShell(
          [
            `etcdctl --command-timeout=600s snapshot save ${work}/s.db >/dev/null`,
            // etcdutl from 3.5 on (3.6's etcdctl has no snapshot status), etcdctl in 3.4.
            `${SNAPSHOT_TOOL_BIN} snapshot status -w json ${work}/s.db >/dev/null`,
            `sha256sum ${work}/s.db >/dev/null`,
            `zstd -3 -q -f ${work}/s.db -o ${work}/s.db.zst`,
            `age -r ${recipient} -o ${work}/s.db.zst.age ${work}/s.db.zst`
          ].join(' && '),
          etcdEnv
        ))
      } else {
        // Timed as a runner sees the step: main (the launcher starting the work process, the backup, the upload),
        // then post removing the plaintext.
        const runnerTemp = mkdtempSync(join(dir, 'runner-'))
        const start = performance.now()
        let stop: (() => Peak) | undefined
        const main = await runStep('main', {
          from: 'dist',
          ...(kind === 'baseline' ? { distDir: baselineDist } : {}),
          runnerTemp,
          inputs: {
            endpoints: member.clientUrl,
            cacert: pki.caCert,
            cert: pki.clientCert,
            key: pki.clientKey,
            recipients: recipient,
            upload: kind === 'upload' ? 'true' : 'false',
            'output-dir': work,
            'artifact-name': `bench-${kind}-${round}`,
            ...extraInputs,
            ...variants[kind],
            ...(kind === 's3' && s3
              ? {
                  's3-uri': 's3://bench/etcd/',
                  's3-endpoint': s3.endpoint,
                  's3-object-lock-mode': 'GOVERNANCE',
                  's3-object-lock-days': '1'
                }
              : {})
          },
          env: {
            ...service.env,
            ...(s3 ? { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey } : {}),
            ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {})
          },
          onStart: pid => (stop = watchRss(pid))
        })
        const mainEnd = performance.now()
        peakRss = stop?.() ?? { total: 0, anon: 0, ownAnon: 0, cpu: 0, sampling: 0, systemCpu: 0, byProcess: {} }
        results[kind]?.mainSeconds.push((mainEnd - start) / 1000)
        await runStep(
          'post',
          { from: 'dist', runnerTemp, ...(kind === 'baseline' ? { distDir: baselineDist } : {}) },
          main.state
        )
        seconds = (performance.now() - start) / 1000
        rmSync(runnerTemp, { recursive: true, force: true })
        if (logDir) writeFileSync(join(logDir, `${kind}-${round + 1}.log`), main.log)
        if (main.code !== 0) throw new Error(`action failed: ${main.error}`)
        const made = statSync(main.outputs['snapshot-file'] as string).size
        if (kind === 'action') outputBytes = made
        results[kind]?.outputBytes.push(made)
      }
      const etcdCpu = cpuSeconds(member.pid) - etcdCpuBefore
      const machine = delta(machineCounters(), machineBefore)
      results[kind]?.machine.push({
        ...machine,
        sha256MiBs: calibration.sha256,
        zstdMiBs: calibration.zstd,
        etcdAnonMiB
      })
      results[kind]?.seconds.push(seconds)
      results[kind]?.peakRss.push(peakRss)
      results[kind]?.etcdCpu.push(etcdCpu)
      results[kind]?.dirtyBefore.push(dirtyBefore)
      log(
        `round ${round + 1} ${kind.padEnd(6)} ${seconds.toFixed(2)} s, peak RSS ${(peakRss.total / 2 ** 20).toFixed(0)} MiB ` +
          `(anonymous ${(peakRss.anon / 2 ** 20).toFixed(0)} MiB, ${(peakRss.ownAnon / 2 ** 20).toFixed(0)} MiB in its own processes), CPU ${peakRss.cpu.toFixed(1)} s + etcd ${etcdCpu.toFixed(1)} s, sampling ${peakRss.sampling.toFixed(2)} s, ` +
          `dirty ${dirtyBefore.dirty} MiB + writeback ${dirtyBefore.writeback} MiB before (free ${dirtyBefore.free}, cached ${dirtyBefore.cached} MiB)`
      )
      log(
        `    tree CPU ${peakRss.cpu.toFixed(1)} s (kernel ${peakRss.systemCpu.toFixed(1)}): ${Object.entries(
          peakRss.byProcess
        )
          .map(([k, v]) => `${k} ${v.toFixed(1)}`)
          .join(', ')}; machine: ${Object.entries({
          ...machine,
          sha256MiBs: calibration.sha256,
          zstdMiBs: calibration.zstd
        })
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}`
      )
    }
  }
  const components = noParts ? undefined : await measureComponents(member.etcdctlEnv, recipient, service.env, work)
  await service.stop()
  await s3?.stop()

  const saveSeconds = results['save']?.seconds ?? []
  const table = Object.entries(results).map(([kind, r]) => {
    const ratios = r.seconds.map((s, i) => s / (saveSeconds[i] as number))
    return {
      kind,
      medianSeconds: Number(median(r.seconds).toFixed(2)),
      ratioToSave: Number(median(ratios).toFixed(2)),
      ratioSpread: [Number(Math.min(...ratios).toFixed(2)), Number(Math.max(...ratios).toFixed(2))],
      ratiosByRound: ratios.map(x => Number(x.toFixed(2))),
      dirtyBeforeMiB: r.dirtyBefore,
      ...(r.outputBytes.length ? { backupFileMB: Number((median(r.outputBytes) / 1e6).toFixed(1)) } : {}),
      // The same runs counted the ways earlier versions of this benchmark counted them: the ratio of the medians, and
      // main alone without post.
      ratioOfMedians: Number((median(r.seconds) / median(saveSeconds)).toFixed(2)),
      ...(r.mainSeconds.length
        ? {
            mainOnlyRatio: Number(median(r.mainSeconds.map((s, i) => s / (saveSeconds[i] as number))).toFixed(2)),
            mainOnlyRatioOfMedians: Number((median(r.mainSeconds) / median(saveSeconds)).toFixed(2))
          }
        : {}),
      byRound: r.seconds.map((s, i) => ({
        seconds: Number(s.toFixed(2)),
        treeCpu: Number((r.peakRss[i]?.cpu ?? 0).toFixed(1)),
        treeKernelCpu: Number((r.peakRss[i]?.systemCpu ?? 0).toFixed(1)),
        etcdCpu: Number((r.etcdCpu[i] ?? 0).toFixed(1)),
        byProcess: r.peakRss[i]?.byProcess,
        machine: r.machine[i]
      })),
      peakRssMiB: Number((Math.max(...r.peakRss.map(p => p.total)) / 2 ** 20).toFixed(0)),
      peakAnonRssMiB: Number((Math.max(...r.peakRss.map(p => p.anon)) / 2 ** 20).toFixed(0)),
      peakOwnAnonRssMiB: Number((Math.max(...r.peakRss.map(p => p.ownAnon)) / 2 ** 20).toFixed(0)),
      cpuSeconds: Number(median(r.peakRss.map(p => p.cpu)).toFixed(1)),
      etcdCpuSeconds: Number(median(r.etcdCpu).toFixed(1)),
      samplingSeconds: Number(median(r.peakRss.map(p => p.sampling)).toFixed(2)),
      throughputMBs: Number((snapshotBytes / 1e6 / median(r.seconds)).toFixed(0))
    }
  })
  const report = {
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version
    },
    etcd: ETCD_VERSION,
    snapshotBytes,
    encryptedBytes: outputBytes,
    keys: seeded.keys,
    loadKeysPerSecond: Math.round(seeded.keys / loadSeconds),
    rounds,
    ...(nodeOptions ? { actionNodeOptions: nodeOptions } : {}),
    syncBetween,
    eventsLeased: !noLeases,
    ...(Object.keys(extraInputs).length ? { inputs: extraInputs } : {}),
    results: table,
    components
  }
  process.stdout.write(
    `\netcd ${ETCD_VERSION}; snapshot ${(snapshotBytes / 1e6).toFixed(0)} MB, ${seeded.keys} keys; backup file ${(outputBytes / 1e6).toFixed(0)} MB; ${rounds} rounds, medians (× save: median of the per-round ratios)${syncBetween ? '; sync before each run' : ''}${noLeases ? '; no leases' : '; Events bound to a lease'}${Object.keys(extraInputs).length ? `; inputs ${JSON.stringify(extraInputs)}` : ''}${nodeOptions ? `; the action run with NODE_OPTIONS=${nodeOptions}` : ''}\n`
  )
  process.stdout.write(
    `${'step'.padEnd(8)}${'seconds'.padStart(9)}${'× save'.padStart(9)}${'spread'.padStart(12)}${'MB/s'.padStart(8)}${'peak RSS MiB'.padStart(14)}${'anon MiB'.padStart(10)}${'own anon'.padStart(10)}${'CPU s'.padStart(8)}${'etcd CPU s'.padStart(12)}\n`
  )
  for (const r of table) {
    process.stdout.write(
      `${r.kind.padEnd(8)}${r.medianSeconds.toFixed(2).padStart(9)}${r.ratioToSave.toFixed(2).padStart(9)}${`${r.ratioSpread[0]?.toFixed(2)}–${r.ratioSpread[1]?.toFixed(2)}`.padStart(12)}${String(r.throughputMBs).padStart(8)}` +
        `${String(r.peakRssMiB).padStart(14)}${String(r.peakAnonRssMiB).padStart(10)}${String(r.peakOwnAnonRssMiB).padStart(10)}${r.cpuSeconds.toFixed(1).padStart(8)}${r.etcdCpuSeconds.toFixed(1).padStart(12)}\n`
    )
  }
  if (components)
    process.stdout.write(
      `\ncomponents on the same snapshot: verify ${components.verifyMBs} MB/s (peak RSS ${components.verifyPeakRssMiB} MiB), ` +
        `age encryption ${components.encryptMBs} MB/s from memory (${components.encryptFromFileMBs} MB/s reading the file), ` +
        `upload to the emulator ${components.uploadMBs} MB/s\n`
    )
  for (const r of table.filter(t => t.kind !== 'save')) {
    process.stdout.write(
      `${r.kind} × save by round: ${r.ratiosByRound.join(', ')}${r.backupFileMB ? `; backup file ${r.backupFileMB} MB` : ''}` +
        `; ratio of medians ${r.ratioOfMedians}${r.mainOnlyRatio ? `; main alone ${r.mainOnlyRatio} (ratio of medians ${r.mainOnlyRatioOfMedians})` : ''}\n`
    )
  }
  if (jsonOut) writeFileSync(jsonOut, `${JSON.stringify(report, null, 2)}\n`)
} finally {
  if (!process.argv.includes('--keep')) {
    await stopAll()
    rmSync(dir, { recursive: true, force: true })
  }
}
