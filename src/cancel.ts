import { killRunningTools } from './etcd/process.js'

/** What a run removes when it is cancelled; synchronous, since a signal handler cannot wait. */
export interface CancelCleanup {
  removeAllSync(): void
}

/**
 * A cancelled job (SIGINT, then SIGTERM) or Ctrl-C: stop the etcd tools this process started, remove what the run
 * created at once rather than trusting a post step to run, say so, and exit. Returns what removes the handler.
 */
export function cleanUpOnCancel(
  cleanup: CancelCleanup,
  say: (signal: NodeJS.Signals) => void,
  exitCode: number
): () => void {
  const handler = (signal: NodeJS.Signals): void => {
    killRunningTools()
    cleanup.removeAllSync()
    say(signal)
    process.exit(exitCode)
  }
  process.once('SIGINT', handler)
  process.once('SIGTERM', handler)
  return () => {
    process.removeListener('SIGINT', handler)
    process.removeListener('SIGTERM', handler)
  }
}
