/**
 * `detect`: where the personal data in a text is, by type and score. Values are returned only
 * when asked for, since a caller that only needs to know "is there any?" should not get a copy.
 * @module
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { chunkOptionsFor, detectChunked, tierSplit } from '../../documents/chunk.js';
import type { McpContext } from '../context.js';
import { jsonResult, runTool } from '../tool-error.js';

export function registerDetectTool(server: McpServer, context: McpContext): void {
  server.registerTool(
    'detect',
    {
      title: 'Detect personal data',
      description:
        'Finds personal and secret data in a text (e-mails, phone numbers, card numbers, IBANs, SSNs, ...). ' +
        'Returns each span with its type, offsets and score; the values themselves only with include_values.',
      inputSchema: {
        text: z.string().describe('Text to scan'),
        include_values: z.boolean().optional().describe('Also return the detected values (default false)'),
      },
      outputSchema: {
        count: z.number().int(),
        entities: z.array(
          z.object({
            type: z.string(),
            start: z.number().int(),
            end: z.number().int(),
            score: z.number(),
            detector: z.string(),
            value: z.string().optional(),
          }),
        ),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (args) =>
      runTool(context, async () => {
        const tiers = context.veil.detection.detectors.map((detector) => detector.tier);
        const detection = context.veil.detection;
        const spans = await detectChunked(
          args.text,
          (text) => context.veil.detect(text),
          chunkOptionsFor(tiers),
          (texts, found, options) => detection.relate(texts, found, options),
          tierSplit(detection),
        );
        const entities = spans.map((span) => ({
          type: span.type,
          start: span.start,
          end: span.end,
          score: Math.round(span.score * 1000) / 1000,
          detector: span.detector,
          ...(args.include_values === true ? { value: args.text.slice(span.start, span.end) } : {}),
        }));
        return jsonResult({ count: entities.length, entities });
      }),
  );
}
