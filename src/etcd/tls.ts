/** PEM material: a file the user pointed at, or PEM text from a secret that we write to a 0600 file later. */
export type PemSource = { kind: 'file'; path: string } | { kind: 'text'; pem: string }

export interface TlsSettings {
  /** CA bundle that signed the etcd server certificate; absent means the system roots. */
  cacert?: PemSource
  /** Client certificate and key, presented to an etcd that runs with --client-cert-auth. */
  cert?: PemSource
  key?: PemSource
}
