// sipmsgops' R-URI parameter functions and the E.164 user check (uri.c).
import type { ExecContext } from '../../script/context.js';
import { joinUri, splitUri } from '../../script/uri-fields.js';

interface Param {
  name: string;
  value?: string;
}

function paramsOf(params: string): Param[] {
  return params
    .split(';')
    .filter(Boolean)
    .map((p) => {
      const eq = p.indexOf('=');
      return eq < 0 ? { name: p } : { name: p.slice(0, eq), value: p.slice(eq + 1) };
    });
}

/** ruri_has_param(name[, value]): names compare exactly; without a value the parameter must have none. */
export function ruriHasParam(ctx: ExecContext, name: string, value: string | undefined): number {
  const u = splitUri(ctx.ruri);
  if (!u) return -1;
  const p = paramsOf(u.params).find((x) => x.name === name);
  if (!p) return -1;
  if (value !== undefined) return p.value === value ? 1 : -1;
  return p.value ? -1 : 1;
}

/** ruri_add_param("name=value"): appended to the URI parameters (before any headers). */
export function ruriAddParam(ctx: ExecContext, param: string): number {
  if (!param) return 1;
  const u = splitUri(ctx.ruri);
  if (!u) return -1;
  u.params += `;${param}`;
  ctx.ruri = joinUri(u);
  return 1;
}

/** ruri_del_param(name): the first parameter of that name goes; -1 when there is none. */
export function ruriDelParam(ctx: ExecContext, name: string): number {
  if (!name) return 1;
  const u = splitUri(ctx.ruri);
  if (!u || !u.params) return -1;
  const pieces = u.params.slice(1).split(';');
  const at = pieces.findIndex((p) => (p.includes('=') ? p.slice(0, p.indexOf('=')) : p) === name);
  if (at < 0) return -1;
  pieces.splice(at, 1);
  u.params = pieces.length ? `;${pieces.join(';')}` : '';
  ctx.ruri = joinUri(u);
  return 1;
}

/** is_uri_user_e164(uri): the user is `+` then 2 to 15 digits. */
export function isUriUserE164(uri: string): number {
  const user = splitUri(uri)?.user;
  return user !== undefined && /^\+\d{2,15}$/.test(user) ? 1 : -1;
}

/**
 * ruri_tel2sip(): a tel: R-URI becomes sip:<the rest, parameters included>@<From host>;user=phone
 * (uri.c copies it as it is); 1 also when there is nothing to convert, -1 when the From URI does not parse.
 */
export function ruriTel2Sip(ctx: ExecContext): number {
  const ruri = ctx.ruri;
  if (ruri.length < 4 || ruri.slice(0, 4).toLowerCase() !== 'tel:') return 1;
  const fromUri = ctx.msg.from?.uri;
  const host = fromUri !== undefined ? splitUri(fromUri)?.host : undefined;
  if (host === undefined) {
    ctx.runtime.logger.log(-1, 'sipmsgops', 'ruri_tel2sip', 'parsing From header failed');
    return -1;
  }
  ctx.ruri = `sip:${ruri.slice(4)}@${host};user=phone`;
  return 1;
}
