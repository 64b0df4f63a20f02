// A parsed SipMessage seen through the ScriptMessage interface the engine
// uses. A class with lazy getters: one is made per received message, so it
// must cost next to nothing until the script asks for something.
import { isSipError } from '../sip/result.js';
import type { SipMessage } from '../sip/message.js';
import type { ContactView, NameAddrView, ScriptMessage } from './message.js';

function nameAddr(v: unknown): NameAddrView | undefined {
  if (!v || isSipError(v)) return undefined;
  const na = v as { displayName: string; uri: string; params: Record<string, string> };
  return {
    uri: na.uri,
    ...(na.displayName ? { displayName: na.displayName } : {}),
    ...(na.params.tag ? { tag: na.params.tag } : {}),
  };
}

class SipScriptMessage implements ScriptMessage {
  private contactsCache: { star: boolean; list: ContactView[] } | undefined;
  private textCache: string | undefined;

  constructor(readonly sip: SipMessage) {}

  get isRequest(): boolean {
    return this.sip.isRequest;
  }
  get method(): string {
    return this.sip.method;
  }
  get ruri(): string {
    return this.sip.isRequest ? this.sip.originalRuri : '';
  }
  get status(): number | undefined {
    return this.sip.isRequest ? undefined : this.sip.status;
  }
  get reason(): string | undefined {
    return this.sip.isRequest ? undefined : this.sip.reason;
  }
  header(n: string): string | undefined {
    return this.sip.header(n);
  }
  headers(n: string): string[] {
    return this.sip.headers(n);
  }
  get callId(): string | undefined {
    return this.sip.callId;
  }
  get cseq(): { num: number; method: string } | undefined {
    const c = this.sip.cseq;
    return c && !isSipError(c) ? { num: c.num, method: c.method } : undefined;
  }
  get from(): NameAddrView | undefined {
    return nameAddr(this.sip.from);
  }
  get to(): NameAddrView | undefined {
    return nameAddr(this.sip.to);
  }
  contacts(): { star: boolean; list: ContactView[] } {
    if (this.contactsCache) return this.contactsCache;
    const c = this.sip.contacts();
    this.contactsCache = isSipError(c)
      ? { star: false, list: [] }
      : {
          star: c.star,
          list: c.contacts.map((x) => ({
            text: x.raw,
            uri: x.uri,
            params: { ...x.params },
            ...(x.displayName ? { displayName: x.displayName } : {}),
          })),
        };
    return this.contactsCache;
  }
  get body(): string {
    return this.sip.bodyText;
  }
  get text(): string {
    return (this.textCache ??= this.sip.bytes.toString('utf8'));
  }
}

export function scriptMessage(msg: SipMessage): ScriptMessage {
  return new SipScriptMessage(msg);
}
