/** How to reach etcd: TLS files on disk (0600, or the user's own) and auth. Never put on argv. */
export interface EtcdAccess {
  cacertFile?: string
  certFile?: string
  keyFile?: string
  username?: string
  password?: string
}
