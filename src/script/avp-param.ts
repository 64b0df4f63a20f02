// Modparams such as received_avp name an AVP as `$avp(name)`.

export function avpNameOf(spec: string | number | undefined): string | undefined {
  if (typeof spec !== 'string') return undefined;
  const m = /^\$avp\(([^)]+)\)$/.exec(spec.trim());
  return m ? m[1] : undefined;
}
