/**
 * etcdutl 3.6's offline hashkv as a third opinion: asked of a copy (etcdutl writes to the file it opens), skipped
 * without etcdutl 3.6, and its refusals told apart. A stand-in etcdutl prints what the real one prints.
 */
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from '@jest/globals'
import { VerificationError } from '../../../src/errors.js'
import { offlineHashKv } from '../../../src/etcd/offline-hashkv.js'
import type { EtcdTools } from '../../../src/etcd/tools.js'

const dir = mkdtempSync(join(tmpdir(), 'offline-hashkv-test-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const snapshot = join(dir, 'snapshot.db')
writeFileSync(snapshot, 'the snapshot bytes')

/** Tools whose etcdutl runs `body` as a shell script (it gets `hashkv <file> -w json`). */
function tools(version: string, body: string): EtcdTools {
  const path = join(dir, `etcdutl-${Math.random().toString(36).slice(2)}`)
  writeFileSync(path, `#!/bin/sh\n${body}\n`)
  chmodSync(path, 0o755)
  return { etcdctl: { path: '/bin/false', version }, etcdutl: { path, version } }
}

describe('offlineHashKv', () => {
  it("reads etcdutl's JSON, from a copy it removes afterwards, leaving the file as it was", async () => {
    const seen = join(dir, 'seen')
    const etcdutl = tools(
      '3.6.17',
      `cp "$2" ${seen}; echo tampered > "$2"; echo 'some log line'; echo '{"hash":123456,"hashRevision":480,"compactRevision":400}'`
    )
    await expect(offlineHashKv(etcdutl, snapshot, 10_000)).resolves.toEqual({
      hash: 123456,
      hashRevision: 480,
      compactRevision: 400,
      tool: 'etcdutl 3.6.17'
    })
    expect(readFileSync(seen, 'utf8')).toBe('the snapshot bytes')
    expect(readFileSync(snapshot, 'utf8')).toBe('the snapshot bytes')
    expect(readdirSync(dir).filter(n => n.endsWith('.hashkv'))).toEqual([])
  })

  it('gives no opinion without etcdutl 3.6, or when etcdutl panics on a leased key', async () => {
    await expect(offlineHashKv(tools('3.5.17', 'exit 9'), snapshot, 10_000)).resolves.toBeUndefined()
    await expect(
      offlineHashKv({ etcdctl: { path: '/bin/false', version: '3.6.0' } }, snapshot, 10_000)
    ).resolves.toBeUndefined()
    const lessor = tools('3.6.0', 'echo "panic: no lessor to attach lease" >&2; exit 2')
    await expect(offlineHashKv(lessor, snapshot, 10_000)).resolves.toBeUndefined()
  })

  it("refuses with etcdutl's last line of complaint, or the signal that killed it", async () => {
    const bad = tools('3.6.0', 'echo "starting" >&2; echo "Error: invalid database" >&2; exit 1')
    const refused = offlineHashKv(bad, snapshot, 10_000)
    await expect(refused).rejects.toThrow(VerificationError)
    await expect(offlineHashKv(bad, snapshot, 10_000)).rejects.toThrow(
      'etcdutl 3.6.0 hashkv rejected the snapshot: Error: invalid database'
    )
    await expect(offlineHashKv(tools('3.6.0', 'sleep 30'), snapshot, 200)).rejects.toThrow(
      'etcdutl 3.6.0 hashkv rejected the snapshot: killed by SIGKILL'
    )
    expect(existsSync(`${snapshot}.hashkv`)).toBe(false)
  })
})
