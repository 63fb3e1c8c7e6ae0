import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import nodemailer, { type Transporter } from 'nodemailer';
import type { AppConfig } from '../config/app-config.js';
import type { MailMessage } from './mail-message.js';

/** Where queued mail goes: an SMTP server, or .eml files for a local run. */
export interface MailTransport {
  /** Sends one message; an SMTP conversation still under way when `deadline` aborts is cut off and fails. */
  send(message: MailMessage, deadline?: AbortSignal): Promise<void>;
  close(): void;
}

export const MAIL_TRANSPORT = Symbol('MAIL_TRANSPORT');

// Bounded waits: a stalled server fails the attempt (retried later) instead of holding the worker.
const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000, dnsTimeout: 5_000 };

export function createMailTransport(config: Pick<AppConfig, 'smtpUrl' | 'mailFrom' | 'dataDir'>): MailTransport {
  return config.smtpUrl
    ? new SmtpTransport(config.smtpUrl, config.mailFrom)
    : new FileTransport(join(config.dataDir, 'mail'), config.mailFrom);
}

class SmtpTransport implements MailTransport {
  private readonly transporter: Transporter;

  constructor(
    url: string,
    private readonly from: string,
  ) {
    // nodemailer reads the connection URL (host, port, credentials, smtps) from `url`.
    this.transporter = nodemailer.createTransport({ url, ...SMTP_TIMEOUTS } as Parameters<typeof nodemailer.createTransport>[0]);
  }

  async send(message: MailMessage, deadline?: AbortSignal): Promise<void> {
    await this.transporter.sendMail({ from: this.from, ...message, signal: deadline });
  }

  close(): void {
    this.transporter.close();
  }
}

/** Writes each message as an .eml file; the code is also logged at debug level. */
class FileTransport implements MailTransport {
  private readonly logger = new Logger('Mail');
  private readonly renderer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });

  constructor(
    private readonly folder: string,
    private readonly from: string,
  ) {}

  async send(message: MailMessage): Promise<void> {
    const info = await this.renderer.sendMail({ from: this.from, ...message });
    await mkdir(this.folder, { recursive: true });
    const file = join(this.folder, `${Date.now()}-${randomBytes(4).toString('hex')}.eml`);
    await writeFile(file, info.message as Buffer, { mode: 0o600 });
    this.logger.log(`mail to ${message.to} written to ${file}`);
    this.logger.debug(`mail to ${message.to}: ${message.text.split('\n')[0]}`);
  }

  close(): void {
    this.renderer.close();
  }
}
