/**
 * The assistant's dialogue, free of any transport: text in, replies out. The Telegram bot
 * and the local console both run exactly these handlers.
 */
import type { Assistant, RiskAnswer } from '../core/assistant.ts';
import { NoModelError, NotFoundError } from '../core/errors.ts';
import { bandOf } from '../core/risk.ts';
import { SEGMENT_CODES, type SegmentCode } from '../core/segments.ts';
import type { Logger } from '../core/ports.ts';
import type { ChartRenderer } from '../core/charts/index.ts';
import { customerDriversChart, featureImportanceChart, segmentSizesChart } from './charts.ts';
import * as M from '../messages.ts';
import { decodeCallback, text, type Reply } from './replies.ts';
import { toCsv } from './csv.ts';

export interface ChatUser {
  chatId: number;
  userId: number;
  isAdmin: boolean;
}

interface Command {
  command: string;
  adminOnly?: boolean;
  run(user: ChatUser, args: string): Promise<Reply[]>;
}

export interface ConversationDeps {
  assistant: Assistant;
  charts: ChartRenderer;
  log?: Logger;
  /** Extra commands contributed by an edge (subscriptions, uploads). */
  extraCommands?: Command[];
}

export type Conversation = ReturnType<typeof createConversation>;

export function resolveSegment(name: string): SegmentCode | null {
  const key = name.trim().toLowerCase().replace(/[\s-]+/g, '_');
  for (const code of SEGMENT_CODES) {
    if (code.replace('-', '_') === key || M.SEGMENT_TEXT[code].aliases.includes(key)) return code;
  }
  return null;
}

export function createConversation(deps: ConversationDeps) {
  const { assistant, charts, log } = deps;
  /** Chats that were asked for a customer id and whose next message is the answer. */
  const awaitingRiskId = new Set<number>();

  async function riskReplies(id: number): Promise<Reply[]> {
    const r: RiskAnswer = assistant.risk(id);
    const view = { ...r, id: r.customer.id };
    const png = await charts.render(customerDriversChart(r.customer.id, r.drivers));
    return [text(M.riskText(view)), { type: 'photo', png, fileName: `risk-${r.customer.id}.png` }];
  }

  async function segmentReplies(code: SegmentCode): Promise<Reply[]> {
    // One pass gives both the chart's context and this segment.
    const all = assistant.segments();
    const s = all.find((x) => x.code === code)!;
    const png = await charts.render(segmentSizesChart(all));
    return [
      text(M.segmentText(s), [[{ text: M.SEGMENT_UI.exportButton, data: { kind: 'export', code } }]]),
      { type: 'photo', png, fileName: `segment-${code}.png` },
    ];
  }

  function exportReplies(code: SegmentCode): Reply[] {
    const s = assistant.segment(code);
    const rows = s.members.map((m) => [
      m.customer.id,
      m.probability.toFixed(4),
      M.BAND_LABELS[bandOf(m.probability, assistant.settings.risk)],
      m.customer.profit,
      m.priority.toFixed(4),
      m.customer.popularCategory,
    ]);
    return [
      {
        type: 'document',
        content: toCsv(M.EXPORT_HEADER, rows),
        fileName: `segment-${code}.csv`,
        caption: M.SEGMENT_UI.exportCaption(M.SEGMENT_TEXT[code].title, s.size),
      },
    ];
  }

  function segmentKeyboard(kind: 'segment' | 'export'): Reply {
    const buttons = SEGMENT_CODES.map((code) => [{ text: M.SEGMENT_TEXT[code].title, data: { kind, code } }]);
    return text(kind === 'segment' ? M.SEGMENT_UI.choose : M.SEGMENT_UI.chooseExport, buttons);
  }

  /** /segment and /export take a segment name; without one, or with an unknown one, they offer the keyboard. */
  function segmentCommand(kind: 'segment' | 'export'): Command {
    return {
      command: kind,
      run: async (_user, args) => {
        if (!args) return [segmentKeyboard(kind)];
        const code = resolveSegment(args);
        if (!code) return [text(M.SEGMENT_UI.unknown(args)), segmentKeyboard(kind)];
        return kind === 'segment' ? segmentReplies(code) : exportReplies(code);
      },
    };
  }

  const commands: Command[] = [
    { command: 'start', run: async () => [text(greeting())] },
    { command: 'help', run: async () => [text(M.CHAT.help(menu()))] },
    {
      command: 'risk',
      run: async (user, args) => {
        if (!args) {
          awaitingRiskId.add(user.chatId);
          return [text(M.CHAT.askRiskId(assistant.exampleId()))];
        }
        return answerRiskId(args);
      },
    },
    segmentCommand('segment'),
    {
      command: 'top_features',
      run: async () => {
        const top = assistant.topFeatures();
        const png = await charts.render(featureImportanceChart(top));
        return [text(M.topFeaturesText(top)), { type: 'photo', png, fileName: 'top-features.png' }];
      },
    },
    { command: 'model', run: async () => [text(M.modelText(assistant.modelInfo()))] },
    segmentCommand('export'),
    ...(deps.extraCommands ?? []),
  ];

  const greeting = (): string => M.CHAT.start(assistant.exampleId());
  const hint = (): string => M.CHAT.notACommand(assistant.exampleId());

  function menu() {
    return commands.map((c) => ({ command: c.command, description: M.COMMAND_DESCRIPTIONS[c.command] ?? c.command }));
  }

  async function answerRiskId(raw: string): Promise<Reply[]> {
    const token = raw.trim().split(/\s+/)[0];
    if (!/^\d{1,15}$/.test(token)) return [text(M.CHAT.badRiskId(raw, assistant.exampleId()))];
    return riskReplies(Number(token));
  }

  /** Maps coded errors to answers; anything else is logged and answered with an apology. */
  async function guarded(what: string, fn: () => Promise<Reply[]>): Promise<Reply[]> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof NotFoundError && err.what === 'customer') return [text(M.CHAT.customerNotFound(err.key, err.suggestions))];
      if (err instanceof NotFoundError && err.what === 'segment') return [text(M.SEGMENT_UI.unknown(err.key))];
      if (err instanceof NoModelError) return [text(M.CHAT.noModel)];
      log?.error('handler failed', { what, error: (err as Error).message, stack: (err as Error).stack });
      return [text(M.CHAT.somethingWrong)];
    }
  }

  return {
    /** The command menu for setMyCommands and /help. */
    menu,
    greeting,
    /** What the assistant understands, for messages it cannot (photos, stray text). */
    hint,

    handleText(user: ChatUser, input: string): Promise<Reply[]> {
      const message = input.trim();
      const m = /^\/([A-Za-z0-9_]+)(?:@\S+)?(?:\s+([\s\S]*))?$/.exec(message);
      if (!m) {
        if (awaitingRiskId.delete(user.chatId) || /^\d{1,15}$/.test(message)) {
          return guarded('risk', () => answerRiskId(message));
        }
        return Promise.resolve([text(hint())]);
      }
      awaitingRiskId.delete(user.chatId);
      const [, name, args = ''] = m;
      const cmd = commands.find((c) => c.command === name.toLowerCase());
      if (!cmd) return Promise.resolve([text(M.CHAT.unknownCommand)]);
      if (cmd.adminOnly && !user.isAdmin) return Promise.resolve([text(M.CHAT.adminOnly)]);
      return guarded(cmd.command, () => cmd.run(user, args.trim()));
    },

    handleCallback(_user: ChatUser, raw: string): Promise<Reply[]> {
      const data = decodeCallback(raw);
      return guarded(`callback ${raw}`, async () => {
        if (!data) return [text(M.CHAT.unknownCommand)];
        if (data.kind === 'risk') return riskReplies(data.id);
        const code = resolveSegment(data.code);
        if (!code) throw new NotFoundError('segment', data.code);
        return data.kind === 'segment' ? segmentReplies(code) : exportReplies(code);
      });
    },
  };
}
