/** Fault injection: answer the next requests to an operation with an error, or never answer them. */
import type http from 'node:http'
import { azureCodeFor, fail, twirpCodeFor, type FrontEnd } from './http.js'
import type { FaultTarget } from './types.js'

interface Fault {
  target: FaultTarget
  remaining: number
  status: number
  message: string | undefined
  hang: boolean
}

export class Faults {
  private readonly faults: Fault[] = []
  /** Requests left hanging, with the front end whose error format releases them. */
  private readonly hung = new Map<http.ServerResponse, FrontEnd>()

  failNext(target: FaultTarget, times: number, status: number, message?: string): void {
    this.faults.push({ target, remaining: times, status, message, hang: false })
  }

  hangNext(target: FaultTarget, times: number): void {
    this.faults.push({ target, remaining: times, status: 0, message: undefined, hang: true })
  }

  /** Answers the request with the next fault planned for its operation; false when none is, and it is to be served. */
  inject(operation: FaultTarget, kind: FrontEnd, res: http.ServerResponse): boolean {
    const fault = this.faults.find(f => f.remaining > 0 && (f.target === operation || f.target === kind))
    if (fault === undefined) return false
    fault.remaining--
    if (fault.remaining === 0) this.faults.splice(this.faults.indexOf(fault), 1)
    if (fault.hang) {
      this.hung.set(res, kind)
      return true
    }
    const code = kind === 'blob' ? azureCodeFor(fault.status) : twirpCodeFor(fault.status)
    fail(res, kind, fault.status, code, fault.message ?? `injected failure (HTTP ${fault.status})`)
    return true
  }

  /**
   * Releases hung requests with a non-retryable answer: a reset connection would send the Azure SDK into retries
   * (4 s, then 12 s) against a closed port, keeping the test process alive after the tests.
   */
  async releaseHung(): Promise<void> {
    const answered = [...this.hung].map(([res, kind]) => {
      res.shouldKeepAlive = false
      const finished = new Promise<void>(resolve => res.once('finish', resolve).once('close', resolve))
      fail(res, kind, 400, kind === 'blob' ? 'InvalidInput' : 'canceled', 'the emulator stopped')
      return finished
    })
    this.hung.clear()
    await Promise.race([Promise.all(answered), new Promise(resolve => setTimeout(resolve, 1000).unref())])
  }
}
