// Events OpenSIPS 3.3 publishes through its event interface, by publisher
// ('core' or the module that must be loaded): an event_route for any other
// name stops the start-up ("Event ... not registered"), unless the script
// publishes it with a literal raise_event()/subscribe_event() name.
export const EVENT_PUBLISHERS: Readonly<Record<string, string>> = {
  E_CORE_THRESHOLD: 'core', E_CORE_SHM_THRESHOLD: 'core', E_CORE_PKG_THRESHOLD: 'core',
  E_CORE_PROC_AUTO_SCALE: 'core', E_CORE_TCP_DISCONNECT: 'core', E_CORE_SR_STATUS_CHANGED: 'core',
  E_ACC_CDR: 'acc', E_ACC_EVENT: 'acc', E_ACC_MISSED_EVENT: 'acc',
  E_CALLCENTER_AGENT_REPORT: 'call_center',
  E_CALL_TRANSFER: 'callops', E_CALL_HOLD: 'callops',
  E_CLUSTERER_NODE_STATE_CHANGED: 'clusterer', E_CLUSTERER_REQ_RECEIVED: 'clusterer',
  E_CLUSTERER_RPL_RECEIVED: 'clusterer', E_CLUSTERER_SHARING_TAG_CHANGED: 'clusterer',
  E_DISPATCHER_STATUS: 'dispatcher',
  E_DLG_STATE_CHANGED: 'dialog',
  E_DROUTING_STATUS: 'drouting',
  E_FRD_CRITICAL: 'fraud_detection', E_FRD_WARNING: 'fraud_detection',
  E_FREESWITCH: 'freeswitch_scripting',
  E_LOAD_BALANCER_STATUS: 'load_balancer',
  E_MSRP_GW_SETUP_FAILED: 'msrp_gateway',
  E_MSRP_MSG_RECEIVED: 'msrp_ua', E_MSRP_SESSION_END: 'msrp_ua', E_MSRP_SESSION_NEW: 'msrp_ua',
  E_MYSQL_CONNECTION: 'db_mysql',
  E_PIKE_BLOCKED: 'pike',
  E_PRESENCE_EXPOSED: 'presence', E_PRESENCE_PUBLISH: 'presence',
  E_QROUTING_BAD_DST: 'qrouting',
  E_RTPENGINE_NOTIFICATION: 'rtpengine',
  E_RTPPROXY_DTMF: 'rtpproxy', E_RTPPROXY_STATUS: 'rtpproxy',
  E_UL_AOR_INSERT: 'usrloc', E_UL_AOR_DELETE: 'usrloc', E_UL_CONTACT_INSERT: 'usrloc', E_UL_CONTACT_UPDATE: 'usrloc',
  E_UL_CONTACT_DELETE: 'usrloc', E_UL_CONTACT_REFRESH: 'usrloc', E_UL_LATENCY_UPDATE: 'usrloc',
};
