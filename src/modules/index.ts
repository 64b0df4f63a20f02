// Modules with a native implementation (or native start-up checks). The
// others are known from the catalog (signatures only): `run` refuses them,
// `dry-run --stub fn=RC` simulates them.
import { acc } from './acc/index.js';
import { aliasDb } from './alias_db/index.js';
import { domain } from './domain/index.js';
import { group } from './group/index.js';
import { auth } from './auth/index.js';
import { cachedbLocal } from './cachedb_local/index.js';
import { cachedbRedis } from './cachedb_redis/index.js';
import { authDb } from './auth_db/index.js';
import { dispatcher } from './dispatcher/index.js';
import { drouting } from './drouting/index.js';
import { dialog } from './dialog/index.js';
import { maxfwd } from './maxfwd/index.js';
import { loadBalancer } from './load_balancer/index.js';
import { midRegistrar } from './mid_registrar/index.js';
import { nathelper } from './nathelper/index.js';
import { permissions } from './permissions/index.js';
import { avpops } from './avpops/index.js';
import { registrar } from './registrar/index.js';
import { rr } from './rr/index.js';
import { rtpengine } from './rtpengine/index.js';
import { rtpproxy } from './rtpproxy/index.js';
import { textops } from './textops/index.js';
import { signaling } from './signaling/index.js';
import { sipmsgops } from './sipmsgops/index.js';
import { sl } from './sl/index.js';
import { speeddial } from './speeddial/index.js';
import { tm } from './tm/index.js';
import { statistics } from './statistics/index.js';
import { prometheus } from './prometheus/index.js';
import type { NativeModule } from './types.js';
import { usrloc } from './usrloc/index.js';
import { cfgutils } from './cfgutils/index.js';
import { uac } from './uac/index.js';
import { tlsMgm } from './tls_mgm/index.js';
import { topology_hiding as topologyHiding } from './topology_hiding/index.js';

export const NATIVE_MODULES: Record<string, NativeModule> = {
  acc,
  alias_db: aliasDb,
  domain,
  group,
  auth,
  auth_db: authDb,
  cfgutils,
  avpops,
  cachedb_local: cachedbLocal,
  cachedb_redis: cachedbRedis,
  dialog,
  dispatcher,
  drouting,
  permissions,
  prometheus,
  sipmsgops,
  maxfwd,
  load_balancer: loadBalancer,
  nathelper,
  usrloc,
  registrar,
  mid_registrar: midRegistrar,
  sl,
  signaling,
  speeddial,
  statistics,
  tm,
  rr,
  rtpengine,
  rtpproxy,
  textops,
  uac,
  tls_mgm: tlsMgm,
  topology_hiding: topologyHiding,
};
