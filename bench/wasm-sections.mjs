// A small reader of the WebAssembly binary format, for the benches that look inside a module:
// bench/size-breakdown.mjs (code and data by crate) and bench/workerd.mjs (the code section that
// workerd compiles as an isolate starts).

/** Reads LEB128 integers and names from `buffer`, starting at byte `at`. */
export function reader(buffer, at = 0) {
  return {
    at,
    u32() {
      let result = 0;
      let shift = 0;
      for (;;) {
        const byte = buffer[this.at++];
        result += (byte & 0x7f) * 2 ** shift;
        shift += 7;
        if (!(byte & 0x80)) return result;
      }
    },
    i32() {
      let result = 0;
      let shift = 0;
      let byte;
      do {
        byte = buffer[this.at++];
        result |= (byte & 0x7f) << shift;
        shift += 7;
      } while (byte & 0x80);
      return shift < 32 && byte & 0x40 ? result | (~0 << shift) : result;
    },
    name() {
      const length = this.u32();
      const text = buffer.toString('utf8', this.at, this.at + length);
      this.at += length;
      return text;
    },
  };
}

/** The module's sections: `{ id, name (custom sections), start, body, end }`, in order. */
export function sections(buffer) {
  const list = [];
  const r = reader(buffer, 8);
  while (r.at < buffer.length) {
    const start = r.at;
    const id = buffer[r.at++];
    const size = r.u32();
    const body = r.at;
    const name = id === 0 ? reader(buffer, body).name() : undefined;
    list.push({ id, name, start, body, end: body + size });
    r.at = body + size;
  }
  return list;
}
