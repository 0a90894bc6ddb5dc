/** Bot API limits: https://core.telegram.org/bots/api#sendmessage and #inlinekeyboardbutton. */
export const MESSAGE_LIMIT = 4096;
export const CAPTION_LIMIT = 1024;
export const MAX_CALLBACK_BYTES = 64;
