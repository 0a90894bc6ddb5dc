import { Markup, type Context } from 'telegraf';
import { CAPTION_LIMIT, encodeCallback, MESSAGE_LIMIT, type Reply } from '../chat/replies.ts';

function keyboard(reply: Extract<Reply, { type: 'text' }>) {
  if (!reply.buttons?.length) return {};
  return Markup.inlineKeyboard(reply.buttons.map((row) => row.map((b) => Markup.button.callback(b.text, encodeCallback(b.data)))));
}

/** Sends replies in order: text first, then its chart, so long text never hits the caption limit. */
export async function sendReplies(ctx: Context, replies: readonly Reply[]): Promise<void> {
  for (const reply of replies) {
    if (reply.type === 'text') {
      await ctx.reply(reply.text.slice(0, MESSAGE_LIMIT), keyboard(reply));
    } else if (reply.type === 'photo') {
      await ctx.replyWithPhoto({ source: reply.png, filename: reply.fileName }, { caption: reply.caption?.slice(0, CAPTION_LIMIT) });
    } else {
      await ctx.replyWithDocument(
        { source: reply.content, filename: reply.fileName },
        { caption: reply.caption?.slice(0, CAPTION_LIMIT) },
      );
    }
  }
}
