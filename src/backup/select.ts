import { errorMessage, EtcdError } from '../errors.js'
import type { EtcdClient, MemberStatus } from '../etcd/client.js'

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
/** Status probes in flight at once: each is a TLS connection and a handshake, so a long endpoint list must not start them all. */
export const PROBES_IN_FLIGHT = 8
/** Up to this many unusable endpoints are each named in the error; more are counted by reason. */
const NAMED_ENDPOINTS = 3
/** Reasons a summary shows, and the longest line it makes. */
const SUMMARY_REASONS = 3
const SUMMARY_CHARS = 480

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
    else if (probe.status.isLearner)
      skipped.push({ endpoint: probe.endpoint, why: 'learner (not a voting member, may lag)' })
    else if (probe.status.alarms.length)
      skipped.push({ endpoint: probe.endpoint, why: `alarm: ${probe.status.alarms.join('; ')}` })
    else candidates.push(probe.status)
  }
  if (!candidates.length) throw new EtcdError(describeUnusable(skipped))
  const clusters = new Set(candidates.map(c => c.clusterId))
  if (clusters.size > 1) {
    throw new EtcdError(
      `the endpoints belong to different clusters (${[...clusters].join(', ')}); list members of one cluster only`
    )
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

/**
 * One line for "nothing usable": each endpoint and why when there are few, else a count per reason with the first
 * endpoint of each, so a long list cannot make an error line of many kilobytes.
 */
function describeUnusable(skipped: EndpointChoice['skipped']): string {
  if (skipped.length <= NAMED_ENDPOINTS) {
    return `no usable etcd endpoint: ${skipped.map(s => `${s.endpoint}: ${s.why}`).join('; ')}`
  }
  const byReason = new Map<string, { count: number; first: string }>()
  for (const { endpoint, why } of skipped) {
    const group = byReason.get(why)
    if (group) group.count++
    else byReason.set(why, { count: 1, first: endpoint })
  }
  const groups = [...byReason].sort(([, a], [, b]) => b.count - a.count)
  const shown = groups
    .slice(0, SUMMARY_REASONS)
    .map(([why, { count, first }]) => `${count} ${clip(why, 120)} (first: ${clip(first, 60)})`)
  const rest = groups.slice(SUMMARY_REASONS).reduce((sum, [, g]) => sum + g.count, 0)
  if (rest) shown.push(`${rest} for other reasons`)
  return clip(`none of ${skipped.length} etcd endpoints is usable: ${shown.join('; ')}`, SUMMARY_CHARS)
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`
}

/** Asks every endpoint for its status, a few at a time, then picks one. */
export async function chooseMember(etcd: Pick<EtcdClient, 'status'>, endpoints: string[]): Promise<EndpointChoice> {
  const probes: EndpointProbe[] = new Array<EndpointProbe>(endpoints.length)
  let next = 0
  const worker = async (): Promise<void> => {
    for (let i = next++; i < endpoints.length; i = next++) {
      const endpoint = endpoints[i] as string
      try {
        probes[i] = { endpoint, status: await etcd.status(endpoint) }
      } catch (e: unknown) {
        probes[i] = { endpoint, error: errorMessage(e) }
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(PROBES_IN_FLIGHT, endpoints.length) }, worker))
  return selectEndpoint(probes)
}
