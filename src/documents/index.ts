/**
 * Documents: format chunkers, chunked detection and whole-document masking.
 * @module
 */
export { chunkOptionsFor, DEFAULT_CHUNK_OPTIONS, detectChunked, WHOLE_TEXT, minChunkSize, overlapOf, windows, type ChunkOptions } from './chunk.js';
export { parseCsv, sniffDelimiter, type CsvTable } from './csv.js';
export { fieldType } from './field-types.js';
export { DOCUMENT_FORMATS, formatForPath, isDocumentFormat, resolveFormat, type DocumentFormat } from './format.js';
export { scanHtml, type HtmlScan, type HtmlTag } from './html.js';
export {
  detectDocument,
  lineOf,
  lineStarts,
  maskDocument,
  segmentsOf,
  unmaskDocument,
  type DocumentEntity,
  type MaskedDocument,
  type MaskDocumentOptions,
} from './mask-document.js';
export { listFiles, riskOf, scanText, scanTree, type FileReport, type ScanFinding, type ScanOptions, type ScanReport } from './scan.js';
