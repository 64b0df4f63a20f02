// What the script engine needs from a SIP message. src/sip's SipMessage is
// adapted to it (src/script/sip-adapter.ts); tests can pass a plain object.
export interface NameAddrView {
  displayName?: string;
  uri: string;
  tag?: string;
}

export interface ContactView {
  /** The contact as written: `<uri>;params` or `uri;params`. */
  text: string;
  uri: string;
  params: Record<string, string>;
  displayName?: string;
}

export interface ScriptMessage {
  isRequest: boolean;
  /** Request method, or the CSeq method of a reply. */
  method: string;
  /** The request URI as received. */
  ruri: string;
  status?: number;
  reason?: string;
  header(name: string): string | undefined;
  headers(name: string): string[];
  callId?: string;
  cseq?: { num: number; method: string };
  from?: NameAddrView;
  to?: NameAddrView;
  /** All contacts across Contact headers; `star` when the request is `Contact: *`. */
  contacts(): { star: boolean; list: ContactView[] };
  body: string;
  /** The whole message as text. */
  text: string;
  /** The parsed message behind this view, for modules that need all of it. */
  sip?: import('../sip/message.js').SipMessage;
}
