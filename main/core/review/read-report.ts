import { PerformanceReport } from '../../../shared/performance';
import { badRequest } from '../errors';

/** The id of the `<script type="application/json">` element the HTML report embeds its data in. */
export const EMBEDDED_REPORT_ID = 'reclaim-report';

const EMBEDDED = new RegExp(`<script\\b[^>]*\\bid\\s*=\\s*["']?${EMBEDDED_REPORT_ID}["']?[^>]*>([\\s\\S]*?)</script>`, 'i');

export type ReportKind = 'json' | 'html';

/** .json / .html by the file name, else by the first character of the content. */
export function reportKind(fileName: string, content: string): ReportKind | null {
  const ext = /\.([a-z0-9]+)$/i.exec(fileName)?.[1]?.toLowerCase();
  if (ext === 'json') return 'json';
  if (ext === 'html' || ext === 'htm') return 'html';
  if (ext) return null;
  const first = content.trimStart()[0];
  return first === '{' ? 'json' : first === '<' ? 'html' : null;
}

/**
 * An exported performance report from its text: the JSON itself, or the JSON
 * an HTML report embeds. Every refusal is one sentence naming the file.
 */
export function readReport(fileName: string, content: string): PerformanceReport {
  const kind = reportKind(fileName, content);
  if (!kind) throw notReviewable(fileName);
  let json: string;
  if (kind === 'html') {
    const m = EMBEDDED.exec(content);
    if (!m) {
      throw badRequest(`${fileName} is a web page without a Reclaim report in it; open the HTML report Reclaim exported (or its JSON).`);
    }
    json = m[1]!;
  } else {
    json = content;
  }
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch {
    throw badRequest(`${fileName} is not a complete report: its data ends early or is damaged. Export the report again.`);
  }
  const parsed = PerformanceReport.safeParse(data);
  if (!parsed.success) {
    throw badRequest(`${fileName} is not a Reclaim performance report (it lacks the workspace, filters or figures of one). Export the report again from Reclaim.`);
  }
  return parsed.data;
}

export function notReviewable(fileName: string) {
  return badRequest(
    `Reclaim can review a performance report (.json or .html) or a copy of a workspace database (.sqlite); ${fileName} is neither.`,
  );
}
