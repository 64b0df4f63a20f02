// The global parameters OpenSIPS 3.3 accepts at the top level (cfg.lex
// keywords with an `assign_stm` rule in cfg.y), with the value forms its
// grammar takes. Facts read from the 3.3 sources; the table is ours.

/**
 * number: NUMBER (yes/no words included, no sign); snumber: signed;
 * string: a quoted string; id: a bare name; host: an address or host name (or a string);
 * words: a grammar of its own (socket, alias, dst_blacklist, auto_scaling_profile, mem-group).
 */
export type GlobalKind = 'number' | 'snumber' | 'string' | 'id' | 'host' | 'words';

export interface GlobalDef {
  kinds: GlobalKind[];
  /** Accepts `use_auto_scaling_profile NAME` after the number. */
  autoScaling?: boolean;
}

const n = (autoScaling = false): GlobalDef => ({ kinds: ['number'], ...(autoScaling ? { autoScaling } : {}) });
const sn: GlobalDef = { kinds: ['snumber'] };
const s: GlobalDef = { kinds: ['string'] };
const id: GlobalDef = { kinds: ['id'] };
const idOrString: GlobalDef = { kinds: ['id', 'string'] };
const words: GlobalDef = { kinds: ['words'] };

export const GLOBALS: Record<string, GlobalDef> = {
  debug_mode: n(),
  udp_workers: n(true),
  tcp_workers: n(true),
  timer_workers: n(true),
  chroot: idOrString,
  workdir: idOrString,
  wdir: idOrString,
  disable_core_dump: n(),
  open_files_limit: n(),
  enable_asserts: n(),
  abort_on_assert: n(),
  log_level: sn,
  log_prefix: s,
  log_stdout: n(),
  log_stderror: n(),
  log_facility: id,
  log_name: s,
  socket: words,
  listen: words,
  'mem-group': words,
  alias: words,
  auto_aliases: n(),
  dns: n(),
  rev_dns: n(),
  dns_try_ipv6: n(),
  dns_try_naptr: n(),
  dns_retr_time: n(),
  dns_retr_no: n(),
  dns_servers_no: n(),
  dns_use_search_list: n(),
  maxbuffer: n(),
  check_via: n(),
  shm_hash_split_percentage: n(),
  shm_secondary_hash_size: n(),
  mem_warming: n(),
  mem_warming_enabled: n(),
  mem_warming_pattern_file: s,
  mem_warming_percentage: n(),
  restart_persistency_cache_file: s,
  restart_persistency_size: n(),
  memlog: sn,
  mem_log: sn,
  memdump: sn,
  mem_dump: sn,
  execmsgthreshold: n(),
  exec_msg_threshold: n(),
  execdnsthreshold: n(),
  exec_dns_threshold: n(),
  tcpthreshold: n(),
  tcp_threshold: n(),
  event_shm_threshold: n(),
  event_pkg_threshold: n(),
  query_buffer_size: n(),
  query_flush_time: n(),
  sip_warning: n(),
  server_signature: n(),
  server_header: s,
  user_agent_header: s,
  mhomed: n(),
  poll_method: idOrString,
  tcp_accept_aliases: n(),
  tcp_connect_timeout: n(),
  tcp_connection_lifetime: n(),
  tcp_socket_backlog: n(),
  tcp_max_connections: n(),
  tcp_no_new_conn_bflag: id,
  tcp_no_new_conn_rplflag: id,
  tcp_keepalive: n(),
  tcp_keepcount: n(),
  tcp_keepidle: n(),
  tcp_keepinterval: n(),
  tcp_max_msg_time: n(),
  tcp_parallel_read_on_workers: n(),
  advertised_address: { kinds: ['host'] },
  advertised_port: n(),
  mcast_loopback: n(),
  mcast_ttl: n(),
  tos: { kinds: ['id', 'number'] },
  disable_dns_failover: n(),
  disable_dns_blacklist: n(),
  dst_blacklist: words,
  max_while_loops: n(),
  disable_stateless_fwd: n(),
  db_version_table: s,
  db_default_url: s,
  db_max_async_connections: n(),
  disable_503_translation: n(),
  auto_scaling_profile: words,
  auto_scaling_cycle: n(),
  mpath: s,
  pv_print_buf_size: n(),
  xlog_buf_size: n(),
  xlog_force_color: n(),
  xlog_print_level: n(),
  xlog_level: sn,
};

/** Names from 1.x/2.x configs that 3.3 no longer knows, with what to write instead. */
export const LEGACY_GLOBALS: Record<string, string> = {
  children: 'use `udp_workers` (3.x renamed it)',
  debug: 'use `log_level` (and `debug_mode=yes` for foreground debugging)',
  fork: 'remove it: 3.x always forks unless started with -F',
  port: 'put the port in each `socket=proto:host:port` line',
  disable_tcp: 'remove it: TCP is enabled by declaring a `socket=tcp:...` and loading proto_tcp',
  disable_tls: 'remove it: TLS is enabled by declaring a `socket=tls:...` and loading proto_tls',
  log_stderr: 'use `log_stderror`',
  tcp_children: 'use `tcp_workers`',
  sip_warning_enabled: 'use `sip_warning`',
  avp_aliases: 'remove it: AVP aliases were dropped in 2.x',
};

/** Names from 3.4 and later (the logging rework) that 3.3 does not know yet, with the 3.3 spelling. */
export const NEWER_GLOBALS: Record<string, string> = {
  stderror_enabled: 'use `log_stderror` (3.4 renamed it)',
  syslog_enabled: 'remove it: 3.3 logs to syslog unless `log_stderror=yes`',
  stderror_level_filter: 'remove it: 3.3 has one `log_level` for every log target',
  syslog_level_filter: 'remove it: 3.3 has one `log_level` for every log target',
  stderror_log_format: 'remove it: 3.3 logs only in its plain format',
  syslog_log_format: 'remove it: 3.3 logs only in its plain format',
  log_event_enabled: 'remove it: 3.3 has no log event',
  log_json_buf_size: 'remove it: 3.3 logs only in its plain format',
  log_msg_buf_size: 'remove it: 3.3 logs only in its plain format',
};

/** Protocols a `socket=` line may name (parse_proto). */
export const SOCKET_PROTOCOLS = [
  'udp',
  'tcp',
  'tls',
  'sctp',
  'ws',
  'wss',
  'bin',
  'bins',
  'hep_udp',
  'hep_tcp',
  'smpp',
  'msrp',
  'msrps',
];
