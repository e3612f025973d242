import 'server-only';
import { AppError } from '@/lib/app-error';

/** One CSV record: its fields and the 1-based line of the body it starts on. */
export interface TCsvRecord {
  line: number;
  fields: string[];
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const CR = 0x0d;
const LF = 0x0a;

type TState = 'field_start' | 'unquoted' | 'quoted' | 'quote_in_quoted';

/**
 * An RFC 4180 CSV parser fed byte chunks as they arrive: quoted fields may hold commas, doubled quotes and line
 * breaks; records end with CRLF or LF; blank lines are skipped. It scans bytes (every delimiter is ASCII, which
 * never occurs inside a UTF-8 sequence) and decodes each field on its own, so what it returns is fresh strings
 * that hold no reference to the body's chunks: the caller keeps what it validates, never the raw text.
 * A record longer than maxRecordBytes or a syntax error is a 400 naming the line: past either, where the next
 * record starts cannot be known.
 */
export class CsvRecordParser {
  private state: TState = 'field_start';
  private fields: string[] = [];
  /** Finished segments of the current field (a field spanning chunks, or split around a doubled quote). */
  private pieces: Uint8Array[] = [];
  private isRecordStarted = false;
  private isAfterCr = false;
  private line = 1;
  private recordLine = 1;
  /** Where the open quoted field started: an unclosed quote is reported there, not at the end of the body. */
  private quoteLine = 1;
  /** Bytes seen before the current chunk, and the offset the current record starts at. */
  private offset = 0;
  private recordOffset = 0;

  constructor(
    private readonly onRecord: (record: TCsvRecord) => void,
    private readonly maxRecordBytes: number,
  ) {}

  write(chunk: Uint8Array): void {
    const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let start = 0;
    for (let i = 0; i < bytes.length; i += 1) {
      const byte = bytes[i];
      if (this.isAfterCr) {
        this.isAfterCr = false;
        if (byte === LF) {
          this.line += 1;
          start = i + 1;
          continue;
        }
      }
      if (!this.isRecordStarted) {
        if (byte === LF || byte === CR) {
          // A blank line.
          if (byte === LF) this.line += 1;
          else this.isAfterCr = true;
          start = i + 1;
          continue;
        }
        this.isRecordStarted = true;
        this.recordLine = this.line;
        this.recordOffset = this.offset + i;
      }
      switch (this.state) {
        case 'field_start':
          if (byte === QUOTE) {
            this.state = 'quoted';
            this.quoteLine = this.line;
            start = i + 1;
            break;
          }
          start = i;
          this.state = 'unquoted';
        // falls through: the byte is the field's first
        case 'unquoted':
          if (byte === COMMA) {
            this.endField(bytes, start, i);
            start = i + 1;
          } else if (byte === LF || byte === CR) {
            this.endField(bytes, start, i);
            this.endRecord(byte);
            start = i + 1;
          } else if (byte === QUOTE) {
            throw this.syntaxError('a quote inside an unquoted field (quote the whole field and double the quote: "say ""hi""")');
          }
          break;
        case 'quoted':
          if (byte === QUOTE) {
            if (i > start) this.pieces.push(bytes.subarray(start, i));
            this.state = 'quote_in_quoted';
            start = i + 1;
          } else if (byte === LF) {
            this.line += 1;
          }
          break;
        case 'quote_in_quoted':
          if (byte === QUOTE) {
            // A doubled quote: the second one starts the next segment of the field.
            this.state = 'quoted';
            start = i;
          } else if (byte === COMMA) {
            this.endField(bytes, i, i);
            start = i + 1;
          } else if (byte === LF || byte === CR) {
            this.endField(bytes, i, i);
            this.endRecord(byte);
            start = i + 1;
          } else {
            throw this.syntaxError('a character after the closing quote of a field (a field is either all quoted or not at all)');
          }
          break;
      }
    }
    if ((this.state === 'unquoted' || this.state === 'quoted') && start < bytes.length) this.pieces.push(bytes.subarray(start));
    this.offset += bytes.length;
    this.checkRecordSize(this.offset);
  }

  end(): void {
    if (this.state === 'quoted') {
      throw new AppError('validation_failed', `Line ${this.quoteLine}: malformed CSV: a quoted field opened on this line is never closed`, {
        line: this.quoteLine,
      });
    }
    if (!this.isRecordStarted) return;
    this.endField(Buffer.alloc(0), 0, 0);
    this.emit();
  }

  private endField(bytes: Buffer, start: number, end: number): void {
    let value: string;
    if (this.pieces.length === 0) {
      value = bytes.toString('utf8', start, end);
    } else {
      if (end > start) this.pieces.push(bytes.subarray(start, end));
      value = Buffer.concat(this.pieces).toString('utf8');
      this.pieces = [];
    }
    this.fields.push(value);
    this.state = 'field_start';
    this.checkRecordSize(this.offset + end);
  }

  private endRecord(terminator: number): void {
    this.emit();
    if (terminator === LF) this.line += 1;
    else this.isAfterCr = true;
  }

  private emit(): void {
    const record = { line: this.recordLine, fields: this.fields };
    this.fields = [];
    this.isRecordStarted = false;
    this.state = 'field_start';
    this.onRecord(record);
  }

  private checkRecordSize(upTo: number): void {
    if (this.isRecordStarted && upTo - this.recordOffset > this.maxRecordBytes) {
      throw new AppError('validation_failed', `Line ${this.recordLine}: a CSV record longer than ${this.maxRecordBytes} bytes`, {
        line: this.recordLine,
      });
    }
  }

  private syntaxError(problem: string): AppError {
    return new AppError('validation_failed', `Line ${this.line}: malformed CSV: ${problem}`, { line: this.line });
  }
}
