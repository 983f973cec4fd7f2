/**
 * The backup's work runs in a second node process, started with a 1 MiB young generation (`--max-semi-space-size=1`).
 *
 * A backup moves gigabytes through short-lived buffers (HTTP/2 frames, zlib and cipher output). V8 gives their memory
 * back only at young-generation collections, and node sizes that generation once, at start-up, for programs that
 * keep what they allocate. Measured at 1 GB (docs/performance.md): a third less memory with the small one, and no
 * difference in time or CPU beyond the noise. action.yml cannot pass flags to node, and V8 cannot resize a heap that
 * exists, so the action starts node again with the flag.
 *
 * The first process only waits. It passes the runner's SIGINT and SIGTERM on to the work and exits with the work's
 * exit code. If it is killed itself (the runner's last resort, SIGKILL to that one pid), the work sees its IPC channel
 * close and ends as on SIGTERM: it stops etcdctl and removes the plaintext. A semi-space the user chose in
 * NODE_OPTIONS is kept, and the work then runs in the first process.
 */
import { spawn } from 'node:child_process'

const SMALL_YOUNG_GENERATION = '--max-semi-space-size=1'

/** Runs `work` in a node with a small young generation: this one if it has one, else a child started with it. */
export async function runWithSmallYoungGeneration(work: () => Promise<void>): Promise<void> {
  if (semiSpaceChosen()) {
    endWhenLauncherGoes()
    return work()
  }
  // Only if node cannot be started again does the work run here, with node's default heap.
  if (!(await launch())) return work()
}

/** Whether this node was started with a semi-space size: by the launcher, or by the user in NODE_OPTIONS. */
function semiSpaceChosen(): boolean {
  const flags = [...process.execArgv, ...(process.env['NODE_OPTIONS'] ?? '').split(/\s+/)]
  return flags.some(flag => flag.replace(/_/g, '-').startsWith('--max-semi-space-size'))
}

/** In the child: when the launcher is gone, the work ends as the runner's SIGTERM would end it. */
function endWhenLauncherGoes(): void {
  if (!process.channel) return
  // The channel is there only to notice the launcher's death: it must not keep this process alive.
  process.channel.unref()
  process.once('disconnect', () => {
    process.stderr.write("the action's first node process is gone (killed by the runner?): ending as on SIGTERM\n")
    process.kill(process.pid, 'SIGTERM')
  })
}

/** Starts this same script again with the flag and waits for it; false if node could not be started. */
function launch(): Promise<boolean> {
  return new Promise(resolve => {
    let started = false
    const child = spawn(process.execPath, [...process.execArgv, SMALL_YOUNG_GENERATION, ...process.argv.slice(1)], {
      stdio: ['inherit', 'inherit', 'inherit', 'ipc']
    })
    child.once('error', () => {
      if (!started) resolve(false)
    })
    child.once('spawn', () => {
      started = true
      const passOn = (signal: NodeJS.Signals): void => void child.kill(signal)
      process.on('SIGINT', passOn)
      process.on('SIGTERM', passOn)
      child.once('exit', (code, signal) => {
        process.off('SIGINT', passOn)
        process.off('SIGTERM', passOn)
        if (signal === null) {
          process.exitCode = code ?? 1
          resolve(true)
          return
        }
        // Killed outright (the kernel's out-of-memory killer, say): it could say nothing, so this process does.
        void import('@actions/core').then(core => {
          core.setFailed(
            `the backup's node process ${child.pid} was killed by ${signal} before it finished; the post step removes the files it left`
          )
          resolve(true)
        })
      })
    })
  })
}
