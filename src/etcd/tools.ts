import * as io from '@actions/io'
import { ConfigurationError, EtcdError } from '../errors.js'
import { runTool } from './process.js'

export interface EtcdTool {
  path: string
  version: string
}

export interface EtcdTools {
  etcdctl: EtcdTool
  /** etcdutl exists from etcd 3.5 on; `snapshot status/restore` moved there and left etcdctl in 3.6. */
  etcdutl?: EtcdTool
}

/**
 * Finds etcdctl (required) and etcdutl (optional unless named explicitly) and reads their versions. A missing
 * etcdctl is the user's to fix, so it is a ConfigurationError.
 */
export async function resolveTools(etcdctl: string, etcdutl: string, etcdutlExplicit = false): Promise<EtcdTools> {
  const ctlPath = await io.which(etcdctl, false)
  if (!ctlPath) {
    throw new ConfigurationError(
      `etcdctl: '${etcdctl}' was not found; install etcd-client (or the etcd release tarball) on the runner, or set the etcdctl input to its path`
    )
  }
  const result: EtcdTools = { etcdctl: { path: ctlPath, version: await toolVersion(ctlPath, 'etcdctl') } }
  const utlPath = await io.which(etcdutl, false)
  if (utlPath) result.etcdutl = { path: utlPath, version: await toolVersion(utlPath, 'etcdutl') }
  else if (etcdutlExplicit) {
    throw new ConfigurationError(
      `etcdutl: '${etcdutl}' was not found; set the etcdutl input to its path, or leave it empty`
    )
  }
  // Said before the snapshot is taken, not after: etcd 3.6 removed `snapshot status` from etcdctl.
  if (!result.etcdutl && compareVersions(result.etcdctl.version, '3.6.0') >= 0) {
    throw new ConfigurationError(
      `etcdctl ${result.etcdctl.version} has no 'snapshot status' (etcd 3.6 moved it to etcdutl); put etcdutl on PATH or set the etcdutl input`
    )
  }
  return result
}

async function toolVersion(binary: string, name: string): Promise<string> {
  const result = await runTool(binary, ['version'], { env: { ETCDCTL_API: '3' }, timeoutMs: 10_000 })
  const match = new RegExp(`${name} version:\\s*(\\S+)`).exec(result.stdout)
  if (result.code !== 0 || !match) {
    throw new EtcdError(`'${binary} version' did not print a version; is it really ${name}?`)
  }
  return match[1] as string
}

/** Compares dotted versions: negative when a < b. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map(n => Number.parseInt(n, 10) || 0)
  const pb = b.split(/[.-]/).map(n => Number.parseInt(n, 10) || 0)
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0)
  return 0
}
