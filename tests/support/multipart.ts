/**
 * A small multipart/form-data parser (RFC 7578) for the Telegram emulator. It works on a fully
 * buffered body, which is all a test server needs: no streaming, no dependencies.
 */

export interface UploadedFile {
  /** Form field name, e.g. "photo", "document", or the id behind an attach:// reference. */
  field: string;
  fileName: string;
  /** The part's Content-Type, or application/octet-stream when the client sent none (telegraf never does). */
  contentType: string;
  content: Buffer;
}

export interface MultipartData {
  fields: Record<string, string>;
  files: Record<string, UploadedFile>;
}

export function boundaryOf(contentType: string): string | undefined {
  const m = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return m?.[1] ?? m?.[2];
}

export function parseMultipart(body: Buffer, boundary: string): MultipartData {
  const data: MultipartData = { fields: {}, files: {} };
  const delimiter = Buffer.from(`--${boundary}`);
  const nextDelimiter = Buffer.from(`\r\n--${boundary}`);
  let pos = body.indexOf(delimiter);
  if (pos < 0) throw new Error('multipart body without the announced boundary');
  pos += delimiter.length;
  // Each iteration sits just after a delimiter: "--" closes the body, otherwise a part follows.
  while (!(body[pos] === 0x2d && body[pos + 1] === 0x2d)) {
    const lineEnd = body.indexOf('\r\n', pos); // skips optional transport padding
    if (lineEnd < 0) throw new Error('truncated multipart body');
    const end = body.indexOf(nextDelimiter, lineEnd + 2);
    if (end < 0) throw new Error('multipart part without a closing boundary');
    addPart(data, body.subarray(lineEnd + 2, end));
    pos = end + nextDelimiter.length;
  }
  return data;
}

function addPart(data: MultipartData, part: Buffer): void {
  const split = part.indexOf('\r\n\r\n');
  if (split < 0) return; // a part without headers has no name: nothing to keep
  const headers = new Map<string, string>();
  for (const line of part.subarray(0, split).toString('utf8').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const disposition = dispositionParams(headers.get('content-disposition') ?? '');
  const name = disposition.get('name');
  if (name === undefined) return;
  const content = part.subarray(split + 4);
  const fileName = disposition.get('filename*') ?? disposition.get('filename');
  if (fileName === undefined) {
    data.fields[name] = content.toString('utf8');
  } else {
    const contentType = headers.get('content-type') ?? 'application/octet-stream';
    data.files[name] = { field: name, fileName, contentType, content: Buffer.from(content) };
  }
}

/** `form-data; name="a"; filename="b.csv"` → Map { name → a, filename → b.csv }. */
function dispositionParams(header: string): Map<string, string> {
  const params = new Map<string, string>();
  const re = /;\s*([^=\s;]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/g;
  for (let m = re.exec(header); m; m = re.exec(header)) {
    const key = m[1].toLowerCase();
    let value = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3].trim();
    if (key.endsWith('*')) value = decodeURIComponent(value.replace(/^[^']*'[^']*'/, '')); // RFC 5987
    params.set(key, value);
  }
  return params;
}
