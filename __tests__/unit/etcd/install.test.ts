/**
 * Where etcd's release tarball and checksums are, and reading a SHA256SUMS file. The download itself (installEtcd,
 * findOrInstallTools) needs a release server and is covered by the e2e install tests.
 */
import { describe, expect, it } from '@jest/globals'
import { ConfigurationError } from '../../../src/errors.js'
import { checksumFor, DEFAULT_ETCD_DOWNLOAD_URL, releaseAsset } from '../../../src/etcd/install.js'

describe('releaseAsset', () => {
  it("lays out the tarball and SHA256SUMS URLs as etcd's GitHub releases do", () => {
    expect(releaseAsset('3.5.17', DEFAULT_ETCD_DOWNLOAD_URL, 'linux', 'x64')).toEqual({
      tarballName: 'etcd-v3.5.17-linux-amd64.tar.gz',
      folder: 'etcd-v3.5.17-linux-amd64',
      tarballUrl: 'https://github.com/etcd-io/etcd/releases/download/v3.5.17/etcd-v3.5.17-linux-amd64.tar.gz',
      checksumsUrl: 'https://github.com/etcd-io/etcd/releases/download/v3.5.17/SHA256SUMS'
    })
  })

  it("maps Node's architecture names to etcd's and trims a trailing slash from a mirror URL", () => {
    expect(releaseAsset('3.6.0', 'https://mirror.example/etcd//', 'linux', 'arm64').tarballUrl).toBe(
      'https://mirror.example/etcd/v3.6.0/etcd-v3.6.0-linux-arm64.tar.gz'
    )
    expect(releaseAsset('3.6.0', 'https://m', 'linux', 'ppc64').folder).toBe('etcd-v3.6.0-linux-ppc64le')
  })

  it('refuses a platform etcd has no Linux build for, saying what to do instead', () => {
    expect(() => releaseAsset('3.6.0', DEFAULT_ETCD_DOWNLOAD_URL, 'darwin', 'arm64')).toThrow(ConfigurationError)
    expect(() => releaseAsset('3.6.0', DEFAULT_ETCD_DOWNLOAD_URL, 'linux', 'ia32')).toThrow(
      'etcd-version: etcd releases have no build for linux/ia32 that this action can install; install etcdctl on the runner and set the etcdctl input'
    )
  })
})

describe('checksumFor', () => {
  const a = 'a'.repeat(64)
  const b = 'B'.repeat(64)
  const sums = [
    `${a}  etcd-v3.6.0-linux-amd64.tar.gz`,
    `${b} *./release/etcd-v3.6.0-linux-arm64.tar.gz\r`,
    'not a checksum line',
    ''
  ].join('\n')

  it('finds the sha256 for a file name, in text or binary mode, lower-cased', () => {
    expect(checksumFor(sums, 'etcd-v3.6.0-linux-amd64.tar.gz')).toBe(a)
    expect(checksumFor(sums, 'etcd-v3.6.0-linux-arm64.tar.gz')).toBe('b'.repeat(64))
  })

  it('is undefined for a name that is not listed, or only listed as part of another', () => {
    expect(checksumFor(sums, 'etcd-v3.6.0-linux-s390x.tar.gz')).toBeUndefined()
    expect(checksumFor(sums, 'amd64.tar.gz')).toBeUndefined()
  })
})
