// Media-relay nodes (rtpengine, rtpproxy): both modules pick a node of a set
// the same way (select_rtpe_node / select_rtpp_node).

export interface WeightedNode {
  readonly weight: number;
  disabled: boolean;
}

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
      if (cut < n.weight) {
        if (!n.disabled) return n;
        break;
      }
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

export interface NodeSet<N> {
  readonly id: number;
  readonly nodes: N[];
}

/**
 * The `[setid ==] node node ...` values of rtpengine_sock / rtpproxy_sock:
 * sets in the order first seen (a repeated id adds to its set), each node
 * read by `parseNode` (an error text for a bad one), `defaultSet` without `==`.
 */
export function parseNodeSets<N>(
  values: string[],
  defaultSet: number,
  param: string,
  parseNode: (token: string, index: number) => N | string,
): { sets: NodeSet<N>[]; problems: string[] } {
  const sets: NodeSet<N>[] = [];
  const problems: string[] = [];
  let index = 0;
  for (const value of values) {
    let id = defaultSet;
    let list = value;
    const sep = value.indexOf('==');
    if (sep >= 0) {
      const head = value.slice(0, sep).trim();
      if (!/^\d+$/.test(head)) {
        problems.push(`bad set id '${head}' in ${param}`);
        continue;
      }
      id = Number(head);
      list = value.slice(sep + 2);
    }
    const tokens = list.split(/\s+/).filter(Boolean);
    if (!tokens.length) {
      problems.push(`no socket after '==' in ${param} '${value}'`);
      continue;
    }
    let set = sets.find((s) => s.id === id);
    for (const t of tokens) {
      const node = parseNode(t, index);
      if (typeof node === 'string') {
        problems.push(node);
        continue;
      }
      if (!set) {
        set = { id, nodes: [] };
        sets.push(set);
      }
      set.nodes.push(node);
      index++;
    }
  }
  return { sets, problems };
}
