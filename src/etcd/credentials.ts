import * as path from 'node:path'
import type { PemSource, TlsSettings } from './tls.js'
import { writePrivateFile } from '../tempfiles.js'
import type { EtcdAccess } from './access.js'

/**
 * Gives etcdctl file paths for the TLS material: the user's own files as they are, PEM text from secrets written
 * to 0600 files in the private dir (which the post step removes).
 */
export async function prepareAccess(
  tls: TlsSettings | undefined,
  auth: { username?: string; password?: string },
  privateDir: string
): Promise<EtcdAccess> {
  const place = async (source: PemSource | undefined, name: string): Promise<string | undefined> => {
    if (!source) return undefined
    if (source.kind === 'file') return source.path
    const file = path.join(privateDir, name)
    await writePrivateFile(file, source.pem)
    return file
  }
  return {
    cacertFile: await place(tls?.cacert, 'ca.crt'),
    certFile: await place(tls?.cert, 'client.crt'),
    keyFile: await place(tls?.key, 'client.key'),
    username: auth.username,
    password: auth.password
  }
}
