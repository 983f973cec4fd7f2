/**
 * Finding etcdctl and etcdutl and reading their versions. Stand-in scripts print what each release prints, so no
 * etcd is needed.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from '@jest/globals'
import { ConfigurationError, EtcdError } from '../../../src/errors.js'
import { compareVersions, resolveTools } from '../../../src/etcd/tools.js'

const dir = mkdtempSync(join(tmpdir(), 'etcd-tools-test-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** An executable that prints `output` for `version`. */
function tool(name: string, output: string): string {
  const path = join(dir, name)
  writeFileSync(path, `#!/bin/sh\n[ "$1" = version ] && [ "$ETCDCTL_API" = 3 ] && printf '%s\\n' '${output}'\n`)
  chmodSync(path, 0o755)
  return path
}

const ctl35 = tool('etcdctl-3.5', 'etcdctl version: 3.5.17')
const utl35 = tool('etcdutl-3.5', 'etcdutl version: 3.5.17')
const ctl36 = tool('etcdctl-3.6', 'etcdctl version: 3.6.0-rc.1')
const fake = tool('not-etcdctl', 'hello')

describe('resolveTools', () => {
  it('finds both tools and reads their versions', async () => {
    await expect(resolveTools(ctl35, utl35)).resolves.toEqual({
      etcdctl: { path: ctl35, version: '3.5.17' },
      etcdutl: { path: utl35, version: '3.5.17' }
    })
  })

  it('does without etcdutl before 3.6, unless it was named explicitly', async () => {
    await expect(resolveTools(ctl35, join(dir, 'missing-etcdutl'))).resolves.toEqual({
      etcdctl: { path: ctl35, version: '3.5.17' }
    })
    await expect(resolveTools(ctl35, join(dir, 'missing-etcdutl'), true)).rejects.toThrow(
      `etcdutl: '${join(dir, 'missing-etcdutl')}' was not found; set the etcdutl input to its path, or leave it empty`
    )
  })

  it('needs etcdutl from 3.6 on, and says so before any snapshot is taken', async () => {
    await expect(resolveTools(ctl36, join(dir, 'missing-etcdutl'))).rejects.toThrow(
      "etcdctl 3.6.0-rc.1 has no 'snapshot status' (etcd 3.6 moved it to etcdutl); put etcdutl on PATH or set the etcdutl input"
    )
  })

  it('tells a missing etcdctl (the user to fix) from a binary that is not etcdctl', async () => {
    const missing = resolveTools(join(dir, 'nope'), utl35)
    await expect(missing).rejects.toThrow(ConfigurationError)
    await expect(resolveTools(join(dir, 'nope'), utl35)).rejects.toThrow(
      /^etcdctl: '.*nope' was not found; install etcd-client/
    )
    await expect(resolveTools(fake, utl35)).rejects.toThrow(EtcdError)
    await expect(resolveTools(fake, utl35)).rejects.toThrow(
      `'${fake} version' did not print a version; is it really etcdctl?`
    )
  })
})

describe('compareVersions', () => {
  it('compares major, minor and patch numerically, ignoring pre-release tails', () => {
    expect(compareVersions('3.5.17', '3.5.9')).toBeGreaterThan(0)
    expect(compareVersions('3.4.31', '3.5.0')).toBeLessThan(0)
    expect(compareVersions('3.6.0-rc.1', '3.6.0')).toBe(0)
    expect(compareVersions('3.6', '3.6.0')).toBe(0)
  })
})
