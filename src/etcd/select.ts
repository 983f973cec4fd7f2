import { EtcdError } from '../errors.js'
import type { MemberStatus } from './client.js'

/** The outcome of asking one endpoint for its status. */
export type EndpointProbe = { endpoint: string; status: MemberStatus } | { endpoint: string; error: string }

export interface EndpointChoice {
  member: MemberStatus
  /** Why this member was picked, for the log and the summary. */
  reason: string
  /** Members passed over, each with why. */
  skipped: Array<{ endpoint: string; why: string }>
  /** Every member that answered, the chosen one included (later checks ask them all). */
  reachable: MemberStatus[]
}

/** A follower this many raft entries behind the leader still counts as caught up. */
const CAUGHT_UP_LAG = 100

/**
 * Picks the member to snapshot: never a learner or a member with an alarm; a caught-up follower if there is one,
 * so the leader keeps its disk and network for the cluster; else the leader; else the most advanced member.
 */
export function selectEndpoint(probes: EndpointProbe[]): EndpointChoice {
  const skipped: EndpointChoice['skipped'] = []
  const candidates: MemberStatus[] = []
  const reachable = probes.flatMap(p => ('status' in p ? [p.status] : []))
  for (const probe of probes) {
    if ('error' in probe) skipped.push({ endpoint: probe.endpoint, why: probe.error })
    else if (probe.status.isLearner) skipped.push({ endpoint: probe.endpoint, why: 'learner (not a voting member, may lag)' })
    else if (probe.status.alarms.length) skipped.push({ endpoint: probe.endpoint, why: `alarm: ${probe.status.alarms.join('; ')}` })
    else candidates.push(probe.status)
  }
  if (!candidates.length) {
    throw new EtcdError(`no usable etcd endpoint: ${skipped.map(s => `${s.endpoint}: ${s.why}`).join('; ')}`)
  }
  const clusters = new Set(candidates.map(c => c.clusterId))
  if (clusters.size > 1) {
    throw new EtcdError(`the endpoints belong to different clusters (${[...clusters].join(', ')}); list members of one cluster only`)
  }
  if (candidates.length === 1 && probes.length === 1) {
    return { member: candidates[0] as MemberStatus, reason: 'the only endpoint given', skipped, reachable }
  }

  const leader = candidates.find(c => c.memberId === c.leaderId)
  const reference = leader?.raftIndex ?? Math.max(...candidates.map(c => c.raftIndex))
  const followers = candidates
    .filter(c => c !== leader && c.leaderId !== '0' && c.leaderId !== '')
    .sort((a, b) => b.raftAppliedIndex - a.raftAppliedIndex)
  const follower = followers[0]
  if (follower && reference - follower.raftAppliedIndex <= CAUGHT_UP_LAG) {
    return {
      member: follower,
      reason: `a caught-up follower (applied index ${follower.raftAppliedIndex}, leader at ${reference}); keeps the snapshot's load off the leader`,
      skipped,
      reachable
    }
  }
  if (leader) {
    const why = followers.length ? 'no follower is caught up' : 'no follower was reachable'
    return { member: leader, reason: `the leader (${why})`, skipped, reachable }
  }
  const best = [...candidates].sort((a, b) => b.raftAppliedIndex - a.raftAppliedIndex)[0] as MemberStatus
  return {
    member: best,
    reason: `the most advanced member reachable (applied index ${best.raftAppliedIndex}); no member reports a leader`,
    skipped,
    reachable
  }
}

/** Asks every endpoint for its status at once, then picks one. */
export async function chooseMember(
  etcdctl: { endpointStatus(endpoint: string): Promise<MemberStatus> },
  endpoints: string[]
): Promise<EndpointChoice> {
  const probes = await Promise.all(
    endpoints.map(async (endpoint): Promise<EndpointProbe> => {
      try {
        return { endpoint, status: await etcdctl.endpointStatus(endpoint) }
      } catch (e: unknown) {
        return { endpoint, error: e instanceof Error ? e.message : String(e) }
      }
    })
  )
  return selectEndpoint(probes)
}
