// The bytes a stream connection has received and not yet framed. Chunks are
// appended into one growable buffer (capacity doubling, bounded by the largest
// message), so a message read in many small pieces costs linear copying, not
// a Buffer.concat of everything so far per chunk.
export class StreamBuffer {
  private buf: Buffer = Buffer.alloc(0);
  private start = 0;
  private end = 0;

  get length(): number {
    return this.end - this.start;
  }

  append(chunk: Buffer): void {
    if (this.length === 0 && this.buf.length < chunk.length) {
      // The common case: nothing pending, the chunk is framed in place.
      this.buf = chunk;
      this.start = 0;
      this.end = chunk.length;
      return;
    }
    if (this.end + chunk.length > this.buf.length) this.grow(this.length + chunk.length);
    chunk.copy(this.buf, this.end);
    this.end += chunk.length;
  }

  private grow(need: number): void {
    const pending = this.view();
    let size = Math.max(256, this.buf.length);
    while (size < need) size *= 2;
    const next = Buffer.allocUnsafe(size);
    pending.copy(next, 0);
    this.buf = next;
    this.start = 0;
    this.end = pending.length;
  }

  /** The pending bytes (a view: valid until the next append or consume). */
  view(): Buffer {
    return this.buf.subarray(this.start, this.end);
  }

  consume(n: number): void {
    this.start += n;
    if (this.start >= this.end) {
      // Drop a big buffer once it is drained, instead of keeping it per connection.
      this.start = this.end = 0;
      if (this.buf.length > 4096) this.buf = Buffer.alloc(0);
    }
  }
}
