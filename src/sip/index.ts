// The SIP message layer: parse received bytes, read headers lazily, record
// edits, serialise, build replies and requests.
export { parseSipMessage, SipMessage, NO_VIA } from './message.js';
export type { ParseOptions, ParseResult, RawHeader, HeaderField } from './message.js';
export { parseUri, parseUriWithPath, formatUri, unescapeBytes } from './uri.js';
export type { SipUri, UriParts, UriPath } from './uri.js';
export { urisEqual } from './uri-compare.js';
export { parseNameAddr, parseNameAddrList, parseContactList } from './name-addr.js';
export type { NameAddr, Contact, ContactList } from './name-addr.js';
export { parseViaList } from './via.js';
export type { Via, ViaOffsets } from './via.js';
export { parseCSeq, parseUint32, parseMaxForwards, parseCredentials } from './scalars.js';
export type { CSeq, Credentials } from './scalars.js';
export { headerKey, isListHeader, splitList } from './header-names.js';
export {
  buildReply,
  buildReplyText,
  buildRequest,
  buildAck,
  buildCancel,
  removeTopVia,
  randomTag,
  newBranch,
} from './build.js';
export type { ReplyOptions, RequestSpec, Body, HeaderList } from './build.js';
export { viaReceived, viaNeedsReceived, replyDestination, viaReplyTarget } from './via-received.js';
export type { Source, ViaReceivedOptions } from './via-received.js';
export { frameStreamMessage } from './stream.js';
export type { StreamFrame } from './stream.js';
export { checkRequest } from './validate.js';
export { receiptProblem } from './receipt.js';
export type { Rejection } from './validate.js';
export { isIPv4, isIPv6, isHostname, hostType, canonicalIp } from './host.js';
export type { HostType } from './host.js';
export { sipError, isSipError } from './result.js';
export type { SipError } from './result.js';
