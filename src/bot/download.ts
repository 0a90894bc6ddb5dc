/**
 * Fetches a file a user sent. The download URL embeds the bot token, so it is never logged and
 * never put into an error message.
 */
import type { Telegram } from 'telegraf';

export class DownloadError extends Error {
  constructor(readonly reason: 'too-large' | 'failed', message: string) {
    super(message);
    this.name = 'DownloadError';
  }
}

/**
 * Downloads at most `maxBytes`, refusing as soon as the server says or sends more. A stalled
 * download gives up after `timeoutMs`, so the chat's upload is not left waiting forever.
 */
export async function downloadFile(telegram: Telegram, fileId: string, maxBytes: number, timeoutMs = 120_000): Promise<Buffer> {
  let res: Response;
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const url = await telegram.getFileLink(fileId);
    res = await fetch(url, { signal });
  } catch (err) {
    throw new DownloadError('failed', `file download failed: ${(err as { description?: string }).description ?? (err as Error).name}`);
  }
  if (!res.ok || !res.body) throw new DownloadError('failed', `file download failed: HTTP ${res.status}`);
  if (Number(res.headers.get('content-length') ?? 0) > maxBytes) {
    await res.body.cancel();
    throw new DownloadError('too-large', 'file is larger than allowed');
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for await (const chunk of res.body) {
      size += chunk.length;
      if (size > maxBytes) throw new DownloadError('too-large', 'file is larger than allowed');
      chunks.push(chunk);
    }
  } catch (err) {
    if (err instanceof DownloadError) throw err;
    throw new DownloadError('failed', `file download failed: ${(err as Error).name}`);
  }
  return Buffer.concat(chunks);
}
