// Media-relay nodes (rtpengine, rtpproxy): both modules pick a node of a set
// the same way (select_rtpe_node / select_rtpp_node).

export interface WeightedNode { readonly weight: number; disabled: boolean }

/**
 * The node for a call: the Call-ID's byte sum (signed chars, & 0xff) cut
 * over the set's weights; when that node is disabled, the cut is taken again
 * over the enabled nodes' weights. A node of weight 0 is used only when no
 * weighted one is up.
 */
export function selectNode<N extends WeightedNode>(nodes: readonly N[], callId: string): N | undefined {
  if (nodes.length === 1) return nodes[0]!.disabled ? undefined : nodes[0];
  let sum = 0;
  for (const b of Buffer.from(callId, 'utf8')) sum += b > 127 ? b - 256 : b;
  sum &= 0xff;
  const total = nodes.reduce((n, x) => n + x.weight, 0);
  const enabled = nodes.filter((x) => !x.disabled).reduce((n, x) => n + x.weight, 0);
  if (total > 0) {
    let cut = sum % total;
    for (const n of nodes) {
      if (cut < n.weight) { if (!n.disabled) return n; break; }
      cut -= n.weight;
    }
  }
  if (enabled <= 0) return nodes.find((n) => !n.disabled);
  let cut = sum % enabled;
  for (const n of nodes) {
    if (n.disabled) continue;
    if (cut < n.weight) return n;
    cut -= n.weight;
  }
  return undefined;
}
