// The protocol-buffers wire format, read-only and just big enough for Kubernetes objects.
//
// A protobuf message is a flat run of fields. Each field starts with a varint key
// `(fieldNumber << 3) | wireType`; wire type 0 is a varint (ints, bools, enums), 2 is
// length-delimited (strings, bytes, nested messages, map entries, packed lists), 1 and 5 are
// fixed 64/32-bit values (Kubernetes' API types never use them, but a reader must skip them).
// What a field *means* is not on the wire: the schemas in protobuf-objects.ts say it.

export type WireValue = { wireType: 0; value: bigint } | { wireType: 2; value: Buffer } | { wireType: 1 | 5; value: Buffer };

export interface WireField {
  fieldNumber: number;
  field: WireValue;
}

export class ProtobufError extends Error {
  constructor(message: string) {
    super(`malformed protobuf: ${message}`);
    this.name = 'ProtobufError';
  }
}

function readVarint(buffer: Buffer, offset: number): { value: bigint; next: number } {
  let value = 0n;
  let shift = 0n;
  for (let i = offset; i < buffer.length && shift < 70n; i++) {
    const byte = buffer[i];
    value |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return { value, next: i + 1 };
    shift += 7n;
  }
  throw new ProtobufError(`varint at byte ${offset} runs past the end of the message`);
}

/** Splits one message into its fields, in wire order (repeated fields appear once per element). */
export function readFields(buffer: Buffer): WireField[] {
  const fields: WireField[] = [];
  let offset = 0;
  while (offset < buffer.length) {
    const key = readVarint(buffer, offset);
    offset = key.next;
    const fieldNumber = Number(key.value >> 3n);
    const wireType = Number(key.value & 7n);
    if (wireType === 0) {
      const varint = readVarint(buffer, offset);
      offset = varint.next;
      fields.push({ fieldNumber, field: { wireType: 0, value: varint.value } });
    } else if (wireType === 2) {
      const length = readVarint(buffer, offset);
      const start = length.next;
      const end = start + Number(length.value);
      if (end > buffer.length) throw new ProtobufError(`field ${fieldNumber} is longer than the message`);
      fields.push({ fieldNumber, field: { wireType: 2, value: buffer.subarray(start, end) } });
      offset = end;
    } else if (wireType === 1 || wireType === 5) {
      const size = wireType === 1 ? 8 : 4;
      fields.push({ fieldNumber, field: { wireType, value: buffer.subarray(offset, offset + size) } });
      offset += size;
    } else {
      throw new ProtobufError(`unsupported wire type ${wireType} for field ${fieldNumber}`);
    }
  }
  return fields;
}
