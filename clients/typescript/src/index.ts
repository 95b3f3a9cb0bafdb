// TypeScript client for Retain.
//
// The messages and service descriptors are generated from proto/ into
// src/gen/ by gen.sh (@bufbuild/protoc-gen-es; never committed); calls go
// over HTTP/2 gRPC with @connectrpc/connect-node, plaintext or TLS (caFile,
// certFile/keyFile, or an https:// server). This module adds
// a small wrapper: async iterators over paginated lists, a batching signal
// writer on one StreamSignals call, and helpers to build signals.
//
//   const retain = new RetainClient({ server: "127.0.0.1:7443" });
//   for await (const a of retain.accounts.list({ healthBand: HealthBand.RED })) ...
//   const writer = retain.signals.writer({ batchSize: 500 });
//   await writer.add(usage("u-1", "acme", new Date(), { activeUsers: 42 }));
//   const { recorded, duplicates } = await writer.close();

import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { FieldMaskSchema, timestampFromDate, type Timestamp } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, createClient, type Client, type Interceptor, type Transport } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { readFileSync } from "node:fs";

import {
  AccountSchema,
  AccountService,
  type Account,
  type HealthBand,
  type LifecycleStage,
  type Segment,
} from "./gen/retain/account/v1/account_pb.js";
import {
  ReportService,
  type AccountHealth,
  type HealthAlert,
  type HealthModelValidation,
  type PortfolioReport,
} from "./gen/retain/report/v1/report_pb.js";
import {
  CommercialEventKind,
  SignalSchema,
  SignalService,
  SurveyKind,
  TicketSeverity,
  TicketStatus,
  TouchpointChannel,
  type Signal,
  type SignalKind,
} from "./gen/retain/signal/v1/signal_pb.js";
import { PluginService, type ListPluginsResponse } from "./gen/retain/plugin/v1/plugin_service_pb.js";

export * from "./gen/retain/account/v1/account_pb.js";
export * from "./gen/retain/signal/v1/signal_pb.js";
export * from "./gen/retain/report/v1/report_pb.js";
export * from "./gen/retain/plugin/v1/plugin_service_pb.js";
export { Code, ConnectError };

export const DEFAULT_SERVER = "127.0.0.1:7443";

export type TimeLike = Date | Timestamp | string;

/** A Timestamp from a Date, an RFC 3339 string ("2024-05-01" means midnight UTC) or a Timestamp. */
export function toTimestamp(t: TimeLike): Timestamp;
export function toTimestamp(t: TimeLike | undefined): Timestamp | undefined;
export function toTimestamp(t: TimeLike | undefined): Timestamp | undefined {
  if (t === undefined) return undefined;
  if (t instanceof Date) return timestampFromDate(t);
  if (typeof t === "string") {
    const d = new Date(t.includes("T") ? t : `${t}T00:00:00Z`);
    if (Number.isNaN(d.getTime())) throw new TypeError(`not a time: ${t}`);
    return timestampFromDate(d);
  }
  return t;
}

/** "acme" or "accounts/acme" -> "accounts/acme". */
export function accountName(account: string): string {
  return account.startsWith("accounts/") ? account : `accounts/${account}`;
}

export interface RetainClientOptions {
  /**
   * host:port (plaintext, or TLS when a CA or client certificate is given),
   * https://host:port (TLS) or http://host:port (plaintext); defaults to
   * $RETAIN_SERVER or 127.0.0.1:7443.
   */
  server?: string;
  /** Sent as "authorization: Bearer <token>"; defaults to $RETAIN_TOKEN. */
  token?: string;
  /** Per-call deadline for unary calls, in milliseconds (default 30 s). */
  timeoutMs?: number;
  /**
   * PEM file of the CA that signed retaind's certificate; means TLS.
   * Defaults to $RETAIN_CA_FILE; without it TLS trusts Node's CAs.
   */
  caFile?: string;
  /** PEM client certificate for mTLS (with keyFile); defaults to $RETAIN_CERT_FILE. */
  certFile?: string;
  /** PEM private key of certFile; defaults to $RETAIN_KEY_FILE. */
  keyFile?: string;
}

function readPem(what: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new Error(`${what}: cannot read ${path}: ${(err as Error).message}`);
  }
}

/** The transport's base URL and TLS options for the client's options. */
export function transportTarget(options: RetainClientOptions): {
  baseUrl: string;
  nodeOptions?: { ca?: Buffer; cert?: Buffer; key?: Buffer };
} {
  const server = options.server ?? process.env.RETAIN_SERVER ?? DEFAULT_SERVER;
  const caFile = options.caFile ?? process.env.RETAIN_CA_FILE;
  const certFile = options.certFile ?? process.env.RETAIN_CERT_FILE;
  const keyFile = options.keyFile ?? process.env.RETAIN_KEY_FILE;
  if (!certFile !== !keyFile) {
    throw new Error(certFile ? "certFile needs keyFile" : "keyFile needs certFile");
  }
  const tlsFiles = Boolean(caFile || certFile);
  const baseUrl = server.includes("://") ? server : `${tlsFiles ? "https" : "http"}://${server}`;
  if (baseUrl.startsWith("http://") && tlsFiles) {
    throw new Error("an http:// server is plaintext, but caFile or certFile asks for TLS: use https:// or host:port");
  }
  if (!baseUrl.startsWith("https://")) return { baseUrl };
  return {
    baseUrl,
    nodeOptions: {
      ...(caFile ? { ca: readPem("caFile", caFile) } : {}),
      ...(certFile && keyFile ? { cert: readPem("certFile", certFile), key: readPem("keyFile", keyFile) } : {}),
    },
  };
}

// OpenSSL's verdicts on a server certificate Node does not trust.
const UNTRUSTED_CERTIFICATE = new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_UNTRUSTED",
  "CERT_SIGNATURE_FAILURE",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

/**
 * Node reports an untrusted server certificate as an "internal" error named
 * by an OpenSSL code; gRPC's own clients (retainctl, Python) answer
 * UNAVAILABLE with "certificate verify failed", and so does this one, with a
 * hint at the fix.
 */
const explainUntrustedCertificate: Interceptor = (next) => async (req) => {
  try {
    return await next(req);
  } catch (err) {
    const cause = err instanceof ConnectError ? err.cause : undefined;
    const code = (cause as { code?: unknown } | undefined)?.code;
    if (typeof code !== "string" || !UNTRUSTED_CERTIFICATE.has(code)) throw err;
    throw new ConnectError(
      `TLS handshake failed: certificate verify failed (${code}: ${(cause as Error).message}): ` +
        "does caFile / RETAIN_CA_FILE hold the CA that signed retaind's certificate?",
      Code.Unavailable,
      undefined,
      undefined,
      cause,
    );
  }
};

/** A connection to one retaind. */
export class RetainClient {
  readonly accountService: Client<typeof AccountService>;
  readonly signalService: Client<typeof SignalService>;
  readonly reportService: Client<typeof ReportService>;
  readonly pluginService: Client<typeof PluginService>;
  /**
   * The gRPC transport (token included), for services the wrapper does not
   * cover, e.g. a plugin's: `createClient(ExpansionService, retain.transport)`.
   */
  readonly transport: Transport;
  readonly accounts: Accounts;
  readonly signals: Signals;
  readonly reports: Reports;
  readonly plugins: Plugins;
  readonly timeoutMs: number;

  constructor(options: RetainClientOptions = {}) {
    const token = options.token ?? process.env.RETAIN_TOKEN;
    const interceptors: Interceptor[] = [explainUntrustedCertificate];
    if (token) {
      interceptors.push((next) => async (req) => {
        req.header.set("authorization", `Bearer ${token}`);
        return next(req);
      });
    }
    const transport = createGrpcTransport({ ...transportTarget(options), interceptors });
    this.transport = transport;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.accountService = createClient(AccountService, transport);
    this.signalService = createClient(SignalService, transport);
    this.reportService = createClient(ReportService, transport);
    this.pluginService = createClient(PluginService, transport);
    this.accounts = new Accounts(this);
    this.signals = new Signals(this);
    this.reports = new Reports(this);
    this.plugins = new Plugins(this);
  }

  /** Call options for a unary call. */
  get callOptions() {
    return { timeoutMs: this.timeoutMs };
  }
}

async function* pages<R extends { nextPageToken: string }, T>(
  fetch: (pageToken: string) => Promise<R>,
  items: (r: R) => T[],
): AsyncGenerator<T> {
  let token = "";
  do {
    const response = await fetch(token);
    yield* items(response);
    token = response.nextPageToken;
  } while (token !== "");
}

export type AccountFields = Omit<
  MessageInitShape<typeof AccountSchema>,
  "$typeName" | "contractStartTime" | "renewalTime"
> & { contractStartTime?: TimeLike; renewalTime?: TimeLike };

function accountMessage(fields: AccountFields): Account {
  const { contractStartTime, renewalTime, ...rest } = fields;
  return create(AccountSchema, {
    ...rest,
    contractStartTime: toTimestamp(contractStartTime),
    renewalTime: toTimestamp(renewalTime),
  });
}

// camelCase field names of the wrapper -> proto field paths of the mask.
function snakeCase(s: string): string {
  return s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

export class Accounts {
  constructor(private readonly c: RetainClient) {}

  /** Every matching account in name order, fetching pages lazily. */
  list(
    filters: {
      segment?: Segment;
      csmOwner?: string;
      lifecycleStage?: LifecycleStage;
      healthBand?: HealthBand;
      pageSize?: number;
    } = {},
  ): AsyncGenerator<Account> {
    const { pageSize = 200, ...rest } = filters;
    return pages(
      (pageToken) =>
        this.c.accountService.listAccounts({ ...rest, pageSize, pageToken }, this.c.callOptions),
      (r) => r.accounts,
    );
  }

  get(account: string): Promise<Account> {
    return this.c.accountService.getAccount({ name: accountName(account) }, this.c.callOptions);
  }

  /** Creates an account; a retry with the same requestId returns the first result. */
  create(accountId: string, fields: AccountFields, requestId = ""): Promise<Account> {
    return this.c.accountService.createAccount(
      { accountId, account: accountMessage(fields), requestId },
      this.c.callOptions,
    );
  }

  /** Updates exactly the given fields. */
  update(account: string, fields: AccountFields): Promise<Account> {
    const message = accountMessage(fields);
    message.name = accountName(account);
    const paths = Object.keys(fields).map(snakeCase).sort();
    return this.c.accountService.updateAccount(
      { account: message, updateMask: create(FieldMaskSchema, { paths }) },
      this.c.callOptions,
    );
  }

  /** Deletes the account and its signals; resolves to how many signals went. */
  async delete(account: string): Promise<bigint> {
    const r = await this.c.accountService.deleteAccount({ name: accountName(account) }, this.c.callOptions);
    return r.deletedSignals;
  }
}

export interface WriteResult {
  recorded: bigint;
  duplicates: bigint;
  batches: bigint;
}

/**
 * Buffers signals and sends them `batchSize` at a time on one StreamSignals
 * call. Each batch is recorded all or nothing; a rejected batch ends the
 * stream and close() rejects with the ConnectError (earlier batches stay
 * recorded; re-sending them is a no-op thanks to signal ids).
 */
export class SignalWriter {
  private buffer: Signal[] = [];
  private readonly queue: (Signal[] | null)[] = [];
  private wakeConsumer: (() => void) | null = null;
  private wakeProducers: (() => void)[] = [];
  private failure: unknown = null;
  private finished = false;
  private closed = false;
  private readonly done: Promise<WriteResult>;
  /** Signals handed to the stream so far. */
  sent = 0;

  constructor(
    c: RetainClient,
    private readonly batchSize = 500,
    private readonly maxQueuedBatches = 4,
  ) {
    if (batchSize < 1 || batchSize > 10_000) throw new RangeError("batchSize must be 1..10000");
    this.done = c.signalService.streamSignals(this.requests()).then(
      (r) => {
        this.finished = true;
        this.wakeAll();
        return { recorded: r.recorded, duplicates: r.duplicates, batches: r.batches };
      },
      (e: unknown) => {
        this.finished = true;
        this.failure = e;
        this.wakeAll();
        throw e;
      },
    );
    this.done.catch(() => {}); // surfaced by add()/close(), never unhandled
  }

  private async *requests() {
    for (;;) {
      while (this.queue.length === 0) {
        await new Promise<void>((resolve) => (this.wakeConsumer = resolve));
      }
      const batch = this.queue.shift()!;
      this.wakeProducers.splice(0).forEach((w) => w());
      if (batch === null) return;
      yield { signals: batch };
    }
  }

  private wakeAll() {
    this.wakeConsumer?.();
    this.wakeProducers.splice(0).forEach((w) => w());
  }

  private async enqueue(batch: Signal[] | null) {
    while (!this.finished && this.queue.length >= this.maxQueuedBatches) {
      await new Promise<void>((resolve) => this.wakeProducers.push(resolve));
    }
    if (this.failure) throw this.failure;
    if (this.finished) throw new ConnectError("stream ended early", Code.Aborted);
    this.queue.push(batch);
    const wake = this.wakeConsumer;
    this.wakeConsumer = null;
    wake?.();
  }

  async add(signal: Signal): Promise<void> {
    if (this.closed) throw new Error("writer is closed");
    this.buffer.push(signal);
    if (this.buffer.length >= this.batchSize) await this.flush();
  }

  async addAll(signals: Iterable<Signal> | AsyncIterable<Signal>): Promise<void> {
    for await (const s of signals) await this.add(s);
  }

  async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    const batch = this.buffer;
    this.buffer = [];
    await this.enqueue(batch);
    this.sent += batch.length;
  }

  /** Sends what is buffered, ends the stream and resolves to the server's counts. */
  async close(): Promise<WriteResult> {
    if (!this.closed) {
      await this.flush();
      this.closed = true;
      await this.enqueue(null);
    }
    return this.done;
  }
}

export class Signals {
  constructor(private readonly c: RetainClient) {}

  /** Records up to 10,000 signals in one all-or-nothing call. */
  record(signals: Signal[]) {
    return this.c.signalService.recordSignals({ signals }, this.c.callOptions);
  }

  writer(options: { batchSize?: number } = {}): SignalWriter {
    return new SignalWriter(this.c, options.batchSize);
  }

  /** One account's signals in time order, fetching pages lazily. */
  list(
    account: string,
    options: { kind?: SignalKind; start?: TimeLike; end?: TimeLike; pageSize?: number } = {},
  ): AsyncGenerator<Signal> {
    return pages(
      (pageToken) =>
        this.c.signalService.listSignals(
          {
            account: accountName(account),
            kind: options.kind,
            startTime: toTimestamp(options.start),
            endTime: toTimestamp(options.end),
            pageSize: options.pageSize ?? 500,
            pageToken,
          },
          this.c.callOptions,
        ),
      (r) => r.signals,
    );
  }
}

export class Reports {
  constructor(private readonly c: RetainClient) {}

  health(account: string, options: { asOf?: TimeLike } = {}): Promise<AccountHealth> {
    return this.c.reportService.getAccountHealth(
      { account: accountName(account), asOfTime: toTimestamp(options.asOf) },
      this.c.callOptions,
    );
  }

  /** Red accounts, largest ARR first. */
  atRisk(options: { segment?: Segment; asOf?: TimeLike; pageSize?: number } = {}): AsyncGenerator<AccountHealth> {
    return pages(
      (pageToken) =>
        this.c.reportService.listAtRiskAccounts(
          {
            asOfTime: toTimestamp(options.asOf),
            segment: options.segment,
            pageSize: options.pageSize ?? 200,
            pageToken,
          },
          this.c.callOptions,
        ),
      (r) => r.accounts,
    );
  }

  /**
   * The stored alert history (band changes and plugin alerts), newest first
   * unless `oldestFirst`; each alert carries its `position`.
   */
  alerts(
    options: {
      account?: string;
      source?: string;
      code?: string;
      severity?: string;
      start?: TimeLike;
      end?: TimeLike;
      afterPosition?: bigint;
      oldestFirst?: boolean;
      pageSize?: number;
    } = {},
  ): AsyncGenerator<HealthAlert> {
    return pages(
      (pageToken) =>
        this.c.reportService.listAlerts(
          {
            account: options.account ? accountName(options.account) : "",
            source: options.source ?? "",
            code: options.code ?? "",
            severity: options.severity ?? "",
            startTime: toTimestamp(options.start),
            endTime: toTimestamp(options.end),
            afterPosition: options.afterPosition ?? 0n,
            oldestFirst: options.oldestFirst ?? false,
            pageSize: options.pageSize ?? 200,
            pageToken,
          },
          this.c.callOptions,
        ),
      (r) => r.alerts,
    );
  }

  portfolio(options: { asOf?: TimeLike; periodStart?: TimeLike } = {}): Promise<PortfolioReport> {
    return this.c.reportService.getPortfolioReport(
      { asOfTime: toTimestamp(options.asOf), periodStartTime: toTimestamp(options.periodStart) },
      this.c.callOptions,
    );
  }

  validateHealthModel(
    options: { asOf?: TimeLike; periodStart?: TimeLike; leadDays?: number } = {},
  ): Promise<HealthModelValidation> {
    return this.c.reportService.validateHealthModel(
      {
        asOfTime: toTimestamp(options.asOf),
        periodStartTime: toTimestamp(options.periodStart),
        leadDays: options.leadDays ?? 0,
      },
      this.c.callOptions,
    );
  }
}

export class Plugins {
  constructor(private readonly c: RetainClient) {}

  list(): Promise<ListPluginsResponse> {
    return this.c.pluginService.listPlugins({}, this.c.callOptions);
  }
}

// --- signal constructors -----------------------------------------------------

function base(signalId: string, account: string, occurTime: TimeLike) {
  return { signalId, account: accountName(account), occurTime: toTimestamp(occurTime) };
}

export function usage(
  signalId: string,
  account: string,
  occurTime: TimeLike,
  u: { activeUsers: number; windowDays?: number; featureUsers?: Record<string, number> },
): Signal {
  return create(SignalSchema, {
    ...base(signalId, account, occurTime),
    payload: {
      case: "usage",
      value: { activeUsers: u.activeUsers, windowDays: u.windowDays ?? 7, featureUsers: u.featureUsers ?? {} },
    },
  });
}

export function ticket(
  signalId: string,
  account: string,
  occurTime: TimeLike,
  t: { ticketId: string; status?: TicketStatus; severity?: TicketSeverity; escalated?: boolean; subject?: string },
): Signal {
  return create(SignalSchema, {
    ...base(signalId, account, occurTime),
    payload: { case: "ticket", value: { status: TicketStatus.OPENED, ...t } },
  });
}

export function survey(
  signalId: string,
  account: string,
  occurTime: TimeLike,
  s: { kind: SurveyKind; score: number; comment?: string; respondent?: string },
): Signal {
  return create(SignalSchema, { ...base(signalId, account, occurTime), payload: { case: "survey", value: s } });
}

export function touchpoint(
  signalId: string,
  account: string,
  occurTime: TimeLike,
  t: { channel?: TouchpointChannel; withContact?: string; execInvolved?: boolean; csm?: string; notes?: string } = {},
): Signal {
  return create(SignalSchema, {
    ...base(signalId, account, occurTime),
    payload: { case: "touchpoint", value: { channel: TouchpointChannel.MEETING, ...t } },
  });
}

export function commercial(
  signalId: string,
  account: string,
  occurTime: TimeLike,
  e: { kind: CommercialEventKind; arrDelta?: number; reason?: string; nextRenewalTime?: TimeLike },
): Signal {
  const { nextRenewalTime, ...rest } = e;
  return create(SignalSchema, {
    ...base(signalId, account, occurTime),
    payload: { case: "commercial", value: { ...rest, nextRenewalTime: toTimestamp(nextRenewalTime) } },
  });
}

