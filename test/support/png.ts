// A small PNG reader for tests: checks the signature and every chunk's CRC, reads IHDR and inflates
// the image data to the exact size IHDR implies, so "the PNG decodes" is a real check.
import { inflateSync } from 'node:zlib';

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export interface DecodedPng {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  /** Filtered scanlines as stored (one filter byte per row), inflated. */
  raw: Buffer;
}

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

export function decodePng(png: Buffer): DecodedPng {
  if (!png.subarray(0, 8).equals(PNG_SIGNATURE)) throw new Error('not a PNG: bad signature');
  let off = 8;
  let ihdr: Buffer | undefined;
  const idat: Buffer[] = [];
  let ended = false;
  while (off < png.length) {
    const len = png.readUInt32BE(off);
    const type = png.subarray(off + 4, off + 8).toString('latin1');
    const data = png.subarray(off + 8, off + 8 + len);
    const crc = png.readUInt32BE(off + 8 + len);
    if (crc32(png.subarray(off + 4, off + 8 + len)) !== crc) throw new Error(`bad CRC in ${type} chunk`);
    if (type === 'IHDR') ihdr = data;
    if (type === 'IDAT') idat.push(data);
    off += 12 + len;
    if (type === 'IEND') {
      ended = true;
      break;
    }
  }
  if (!ihdr) throw new Error('no IHDR chunk');
  if (!ended) throw new Error('no IEND chunk');
  const width = ihdr.readUInt32BE(0);
  const height = ihdr.readUInt32BE(4);
  const bitDepth = ihdr[8];
  const colorType = ihdr[9];
  const raw = inflateSync(Buffer.concat(idat));
  const rowBytes = Math.ceil((width * CHANNELS[colorType] * bitDepth) / 8);
  if (raw.length !== height * (rowBytes + 1))
    throw new Error(`image data is ${raw.length} bytes; IHDR implies ${height * (rowBytes + 1)}`);
  return { width, height, bitDepth, colorType, raw };
}
